import { VulnDb } from './db/database.js';
import { type FeedFormat, importPath } from './importers/index.js';

export interface ImportTask {
  dbFile: string;
  path: string;
  format?: FeedFormat;
}

/**
 * Worker-thread entry (piscina): a feed import parses and writes for seconds to minutes, so a
 * registry process runs it here, off its event loop. The worker opens its own DB connection.
 */
export default function runImport(task: ImportTask): ReturnType<typeof importPath> {
  const db = VulnDb.open(task.dbFile);
  try {
    return importPath(db, task.path, task.format);
  } finally {
    db.close();
  }
}
