/**
 * Virtual path handling. Every name is resolved against a virtual "/" with ".." clamped at the
 * root, so no archive entry can name anything outside the image filesystem.
 */

/** Normalises an archive or link path to an absolute virtual path ("/a/b"); "" and "." give "/". */
export function normalisePath(name: string, base = '/'): string {
  if (base === '/' || name.startsWith('/')) {
    const plain = plainPath(name);
    if (plain !== undefined) return plain;
  }
  const parts: string[] = [];
  const source = name.startsWith('/') ? name : `${base}/${name}`;
  for (const seg of source.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') parts.pop();
    else parts.push(seg);
  }
  return `/${parts.join('/')}`;
}

/**
 * The common case without splitting: "./usr/bin/x", "usr/lib/", "/etc/passwd" (leading "/" and
 * "./", trailing "/"). Undefined when an empty, "." or ".." segment remains.
 */
function plainPath(name: string): string | undefined {
  let start = 0;
  let end = name.length;
  for (;;) {
    if (start < end && name.charCodeAt(start) === 47) start++;
    else if (start < end && name.charCodeAt(start) === 46 && (start + 1 === end || name.charCodeAt(start + 1) === 47)) start++;
    else break;
  }
  while (end > start && name.charCodeAt(end - 1) === 47) end--;
  if (start === end) return '/';
  let seg = start;
  for (let i = start; i <= end; i++) {
    if (i < end && name.charCodeAt(i) !== 47) continue;
    const len = i - seg;
    if (len === 0) return undefined;
    if (name.charCodeAt(seg) === 46 && (len === 1 || (len === 2 && name.charCodeAt(seg + 1) === 46))) return undefined;
    seg = i + 1;
  }
  return start === 1 && end === name.length && name.charCodeAt(0) === 47 ? name : `/${name.slice(start, end)}`;
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
