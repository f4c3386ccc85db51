import Database from 'better-sqlite3';

/** Header blobs of an rpmdb.sqlite, opened from memory (never written to disk). */
export function sqliteBlobs(buf: Buffer): Buffer[] {
  if (buf.length < 100 || buf.toString('latin1', 0, 15) !== 'SQLite format 3') throw new Error('not an SQLite database');
  // rpm keeps the database in WAL mode; a deserialized WAL database cannot be opened, so the
  // copy is marked as a rollback-journal database (header bytes 18/19), which reads the same.
  const copy = Buffer.from(buf);
  if (copy[18] === 2) copy[18] = 1;
  if (copy[19] === 2) copy[19] = 1;
  const db = new Database(copy, { readonly: true });
  try {
    const rows = db.prepare('SELECT blob FROM Packages').all() as { blob: unknown }[];
    return rows.map((r) => r.blob).filter((b): b is Buffer => Buffer.isBuffer(b));
  } finally {
    db.close();
  }
}
