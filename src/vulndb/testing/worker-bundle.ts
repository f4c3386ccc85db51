import { bundleWorkerForTests } from '../../testing/worker-bundle.js';

/** The feed-import worker, bundled for tests. */
export function bundleImportWorkerForTests(): Promise<string> {
  return bundleWorkerForTests('src/vulndb/worker.ts');
}
