/**
 * Hand-built zstd frames for tests: raw blocks carry given bytes, RLE blocks repeat one byte. That is
 * enough to build valid streams and decompression bombs without a zstd compressor in JS.
 */
export function zstdFrame(parts: ({ raw: Buffer } | { rle: number; count: number })[], windowLog = 20): Buffer {
  const out: Buffer[] = [];
  const header = Buffer.alloc(6);
  header.writeUInt32LE(0xfd2fb528, 0);
  header[4] = 0; // no single segment, no checksum, no dictionary, no content size
  header[5] = (windowLog - 10) << 3;
  out.push(header);
  const blocks: { type: number; size: number; body: Buffer }[] = [];
  for (const p of parts) {
    if ('raw' in p) {
      for (let i = 0; i < p.raw.length; i += 128 * 1024) {
        const body = p.raw.subarray(i, i + 128 * 1024);
        blocks.push({ type: 0, size: body.length, body });
      }
    } else {
      let left = p.count;
      while (left > 0) {
        const n = Math.min(left, 128 * 1024);
        left -= n;
        blocks.push({ type: 1, size: n, body: Buffer.from([p.rle]) });
      }
    }
  }
  blocks.forEach((b, i) => {
    const last = i === blocks.length - 1 ? 1 : 0;
    const v = last | (b.type << 1) | (b.size << 3);
    out.push(Buffer.from([v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff]), b.body);
  });
  return Buffer.concat(out);
}

/** Rewrites the size field of a ustar header (and its checksum) to claim `size` bytes. */
export function patchTarSize(header512: Buffer, size: number): Buffer {
  const h = Buffer.from(header512);
  h.write(size.toString(8).padStart(11, '0') + '\0', 124, 12, 'ascii');
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'ascii');
  return h;
}
