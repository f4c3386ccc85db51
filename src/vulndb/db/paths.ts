import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export const DB_FILE_NAME = 'vulndb.sqlite';

/** --cache-dir, else PORTCULLIS_CACHE_DIR, else ~/.cache/portcullis. */
export function resolveCacheDir(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (explicit && explicit.length > 0) return resolve(explicit);
  const fromEnv = env.PORTCULLIS_CACHE_DIR;
  if (fromEnv && fromEnv.length > 0) return resolve(fromEnv);
  return join(homedir(), '.cache', 'portcullis');
}

export function dbPath(cacheDir: string): string {
  return join(cacheDir, DB_FILE_NAME);
}
