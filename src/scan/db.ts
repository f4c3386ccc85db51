import { existsSync } from 'node:fs';
import { dbPath, resolveCacheDir } from '../vulndb/db/paths.js';
import { VulnDb } from '../vulndb/db/database.js';

export class VulnDbMissingError extends Error {
  override name = 'VulnDbMissingError';
  constructor(readonly path: string) {
    super(`no vulnerability database at ${path}; run "portcullis db update" (or "portcullis db import PATH" offline), or pass --scanners without vuln`);
  }
}

/** Opens the cache directory's vulnerability DB read-only; never creates or downloads one. */
export function openScanDb(cacheDir?: string): VulnDb {
  const path = dbPath(resolveCacheDir(cacheDir));
  if (!existsSync(path)) throw new VulnDbMissingError(path);
  return VulnDb.open(path, { readonly: true });
}
