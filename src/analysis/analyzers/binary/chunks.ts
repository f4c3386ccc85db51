/** The first `n` bytes of parts[from..] (fewer at the end). */
function firstBytes(parts: readonly Buffer[], from: number, n: number): Buffer {
  const out: Buffer[] = [];
  for (let i = from; i < parts.length && n > 0; i++) {
    const p = parts[i]!.subarray(0, n);
    out.push(p);
    n -= p.length;
  }
  return out.length === 1 ? out[0]! : Buffer.concat(out);
}

/**
 * Whether `needle` occurs in the concatenation of `parts` at an offset for which `accept(offset,
 * total)` holds, without concatenating them: the layer walk hands files over in the pieces they
 * arrived in, and most executables are searched only to be dropped.
 */
export function occursIn(parts: readonly Buffer[], needle: Buffer, accept: (offset: number, total: number) => boolean = () => true): boolean {
  let total = 0;
  for (const p of parts) total += p.length;
  const n = needle.length;
  let base = 0;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    for (let from = 0; ; ) {
      const j = p.indexOf(needle, from);
      if (j < 0) break;
      if (accept(base + j, total)) return true;
      from = j + 1;
    }
    // Occurrences that start in this part's last n-1 bytes and run on into the next parts.
    if (n > 1 && i + 1 < parts.length) {
      const tailStart = Math.max(0, p.length - (n - 1));
      const tail = p.subarray(tailStart);
      const joined = Buffer.concat([tail, firstBytes(parts, i + 1, n - 1)]);
      for (let from = 0; ; ) {
        const j = joined.indexOf(needle, from);
        if (j < 0 || j >= tail.length) break;
        if (accept(base + tailStart + j, total)) return true;
        from = j + 1;
      }
    }
    base += p.length;
  }
  return false;
}
