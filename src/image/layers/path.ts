/**
 * Virtual path handling. Every name is resolved against a virtual "/" with ".." clamped at the
 * root, so no archive entry can name anything outside the image filesystem.
 */

/** Normalises an archive or link path to an absolute virtual path ("/a/b"); "" and "." give "/". */
export function normalisePath(name: string, base = '/'): string {
  const parts: string[] = [];
  const source = name.startsWith('/') ? name : `${base}/${name}`;
  for (const seg of source.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') parts.pop();
    else parts.push(seg);
  }
  return `/${parts.join('/')}`;
}

export function dirnameOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

export function basenameOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

const WHITEOUT_PREFIX = '.wh.';
const OPAQUE_MARKER = '.wh..wh..opq';

export type WhiteoutKind = { kind: 'opaque'; dir: string } | { kind: 'whiteout'; target: string } | { kind: 'meta' };

/** Classifies an OCI/AUFS whiteout name; undefined for ordinary paths. */
export function whiteoutOf(path: string): WhiteoutKind | undefined {
  const base = basenameOf(path);
  if (!base.startsWith(WHITEOUT_PREFIX)) return undefined;
  const dir = dirnameOf(path);
  if (base === OPAQUE_MARKER) return { kind: 'opaque', dir };
  // Other ".wh..wh." names are AUFS bookkeeping (hard-link dirs), not deletions.
  if (base.startsWith(`${WHITEOUT_PREFIX}${WHITEOUT_PREFIX}`)) return { kind: 'meta' };
  const name = base.slice(WHITEOUT_PREFIX.length);
  if (name === '' || name === '.' || name === '..') return { kind: 'meta' };
  return { kind: 'whiteout', target: dir === '/' ? `/${name}` : `${dir}/${name}` };
}

/** True when `path` is `dir` itself or inside it. */
export function isWithin(path: string, dir: string): boolean {
  if (dir === '/') return true;
  return path === dir || path.startsWith(`${dir}/`);
}
