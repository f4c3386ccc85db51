import type { FileMeta } from '../../analyzer.js';

/** Executables worth opening: an exec bit (or a Windows name) and more than a script's size. */
export function wantsExecutable(meta: FileMeta): boolean {
  if (meta.size < 1024) return false;
  if ((meta.mode & 0o170000) !== 0 && (meta.mode & 0o170000) !== 0o100000) return false;
  return (meta.mode & 0o111) !== 0 || /\.(exe|dll)$/i.test(meta.path);
}
