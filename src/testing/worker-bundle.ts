import { mkdir, mkdtemp } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { REPO_ROOT } from './corpus.js';

/**
 * Tests run TypeScript sources, but worker threads load plain JavaScript: bundle a worker entry
 * into one ESM file. Production uses the tsc output in dist/.
 */
export async function bundleWorkerForTests(entry: string): Promise<string> {
  // Inside the repository, so that the bundle's external packages resolve from node_modules.
  const cache = join(REPO_ROOT, 'node_modules/.cache');
  await mkdir(cache, { recursive: true });
  const outfile = join(await mkdtemp(join(cache, 'portcullis-worker-')), 'worker.mjs');
  await build({
    entryPoints: [resolve(REPO_ROOT, entry)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'silent',
  });
  return outfile;
}
