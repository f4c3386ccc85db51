import { Piscina } from 'piscina';
import type { importPath } from './importers/index.js';
import type { ImportTask } from './worker.js';

export interface ImportInWorkerOptions {
  /** The compiled worker entry; defaults to worker.js beside this module (dist/). */
  workerFile?: string | URL;
}

/** Imports a feed into the DB file on a worker thread; the caller's event loop stays free. */
export async function importInWorker(task: ImportTask, opts: ImportInWorkerOptions = {}): Promise<ReturnType<typeof importPath>> {
  const file = opts.workerFile ?? new URL('./worker.js', import.meta.url);
  const pool = new Piscina<ImportTask, ReturnType<typeof importPath>>({
    filename: file instanceof URL ? file.href : file,
    maxThreads: 1,
    minThreads: 0,
  });
  try {
    return await pool.run(task);
  } finally {
    await pool.destroy();
  }
}
