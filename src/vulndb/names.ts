/** Normalised ecosystem and package-name keys, so feeds and inventories meet in the DB. */

/** "Debian:12" -> "debian:12"; "Ubuntu:22.04:LTS" -> "ubuntu:22.04" (the analyzers don't know about LTS/Pro labels). */
export function ecosystemKey(ecosystem: string): string {
  const parts = ecosystem
    .trim()
    .split(':')
    .map((p) => p.trim().toLowerCase());
  if (parts[0] === 'ubuntu') return parts.filter((p) => p !== 'lts').join(':');
  return parts.join(':');
}

/** The ecosystem without its release ("Debian:12" -> "debian"). */
export function ecosystemBase(ecosystem: string): string {
  return ecosystemKey(ecosystem).split(':')[0]!;
}

const CASE_INSENSITIVE = new Set(['nuget', 'packagist', 'crates.io']);

/** Package-name key: PEP 503 for PyPI, lower case where the ecosystem ignores case, else unchanged. */
export function packageKey(ecosystem: string, name: string): string {
  const base = ecosystemBase(ecosystem);
  const n = name.trim();
  if (base === 'pypi') return n.toLowerCase().replace(/[-_.]+/g, '-');
  if (CASE_INSENSITIVE.has(base)) return n.toLowerCase();
  return n;
}
