/**
 * The `[[package]]` tables of Cargo.lock and poetry.lock: flat `key = "string"` pairs. No TOML
 * library is installed, and these lock files only need this subset; other tables are skipped.
 */
export function tomlPackageTables(text: string): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  let cur: Record<string, string> | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('[')) {
      cur = line === '[[package]]' ? {} : undefined;
      if (cur) out.push(cur);
      continue;
    }
    if (!cur) continue;
    const m = /^([A-Za-z0-9_-]+)\s*=\s*"((?:[^"\\]|\\.)*)"\s*(?:#.*)?$/.exec(line);
    if (m?.[1] && m[2] !== undefined) cur[m[1]] = m[2].replace(/\\(.)/g, '$1');
  }
  return out;
}
