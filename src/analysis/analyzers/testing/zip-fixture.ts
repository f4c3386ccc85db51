import { makeZip as writeZip } from '../../../testing/zip.js';

/** The analyzers' tests name archive members by a record; the shared writer does the work. */
export function makeZip(files: Record<string, string | Buffer>, store = false, zip64 = false): Buffer {
  return writeZip(
    Object.entries(files).map(([name, data]) => ({ name, data, store })),
    { zip64 },
  );
}
