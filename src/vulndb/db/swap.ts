import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { VulnDb } from './database.js';

/**
 * Builds a complete new DB beside `target` and renames it over the old one, so readers see
 * either the old file or the new one, never a half-written DB. On failure the old file is untouched.
 */
export async function rebuildAtomically<T>(target: string, build: (db: VulnDb) => T | Promise<T>): Promise<T> {
  mkdirSync(dirname(target), { recursive: true });
  const tmp = `${target}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  const db = VulnDb.open(tmp);
  try {
    const result = await build(db);
    // fold the WAL into the main file so the renamed file is self-contained
    db.db.pragma('wal_checkpoint(TRUNCATE)');
    db.db.pragma('journal_mode = DELETE');
    db.close();
    // a WAL left by the old file must never be replayed onto the new one
    for (const suffix of ['-wal', '-shm']) rmSync(`${target}${suffix}`, { force: true });
    renameSync(tmp, target);
    for (const suffix of ['-wal', '-shm']) rmSync(`${target}${suffix}`, { force: true });
    return result;
  } catch (err) {
    db.close();
    removeDbFiles(tmp);
    throw err;
  }
}

export function removeDbFiles(path: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${path}${suffix}`, { force: true });
}
