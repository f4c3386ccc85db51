import { mkdir, mkdtemp } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** Tests run TypeScript, worker threads load JavaScript: bundle the import worker into one ESM file. */
export async function bundleImportWorkerForTests(): Promise<string> {
  const here = fileURLToPath(new URL('.', import.meta.url));
  // inside the repository, so the bundle's external packages resolve from node_modules
  const cache = resolve(here, '../../../node_modules/.cache');
  await mkdir(cache, { recursive: true });
  const dir = await mkdtemp(join(cache, 'portcullis-vulndb-worker-'));
  const outfile = join(dir, 'worker.mjs');
  await build({
    entryPoints: [resolve(here, '../worker.ts')],
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
