import { bundleWorkerForTests as bundle } from '../../../testing/worker-bundle.js';

/** The analysis worker (with the analyzers), bundled for tests. */
export function bundleWorkerForTests(): Promise<string> {
  return bundle('src/analysis/engine/worker.ts');
}
