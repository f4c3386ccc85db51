/**
 * Scan pipeline timings on the shared images: vulnerability matching time per image (the
 * inventory against the imported corpus feeds), the time of a first (cold) scan with all scanners,
 * and of a repeated scan (best of 3) whose layers and final filesystem come from the cache (target < 100 ms).
 * Run: npx tsx bench/scan.ts   (once; it imports the corpus feeds into a temp cache dir)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openImageSource } from '../src/image/sources/index.js';
import { scanImage } from '../src/scan/index.js';
import { CORPUS_IMAGES, CORPUS_TAGS, corpusPath, hasCorpus } from '../src/testing/corpus.js';
import { VulnDb } from '../src/vulndb/db/database.js';
import { importPath } from '../src/vulndb/importers/index.js';
import { matchInventory } from '../src/vulndb/match/index.js';

if (!hasCorpus) {
  console.log('bench/scan: corpus absent, nothing to measure');
  process.exit(0);
}

const cacheDir = await mkdtemp(join(tmpdir(), 'portcullis-bench-scan-'));
try {
  const db = VulnDb.open(join(cacheDir, 'vulndb.sqlite'));
  let t = performance.now();
  for (const p of ['osv/Go', 'osv/PyPI', 'osv/npm', 'debian/bookworm-subset.json']) importPath(db, corpusPath('vulndata', p));
  console.log(`import of the corpus feeds: ${(performance.now() - t).toFixed(0)} ms`);

  const ms = (x: number): string => `${x.toFixed(1)} ms`.padStart(10);
  console.log(`${'image'.padEnd(22)}${'packages'.padStart(9)}${'vulns'.padStart(7)}${'match'.padStart(10)}${'cold scan'.padStart(11)}${'cached scan'.padStart(13)}`);
  for (const tag of CORPUS_TAGS) {
    const scan = async (): Promise<[Awaited<ReturnType<typeof scanImage>>, number]> => {
      const start = performance.now();
      const source = await openImageSource(`oci:${CORPUS_IMAGES}:${tag}`);
      try {
        const r = await scanImage(source, { cacheDir, db });
        return [r, performance.now() - start];
      } finally {
        await source.close();
      }
    };
    const [cold, coldMs] = await scan();
    // Repeated scans: layers and the final filesystem come from the cache (best of 3).
    let warmMs = Infinity;
    for (let i = 0; i < 3; i++) warmMs = Math.min(warmMs, (await scan())[1]);
    // Matching alone, on the same inventory (fresh candidate caches each run; best of 3).
    const inventory = { packages: cold.packages.items, layers: cold.artifact.layers, warnings: [], ...(cold.artifact.os ? { os: cold.artifact.os } : {}) };
    let match = Infinity;
    for (let i = 0; i < 3; i++) {
      t = performance.now();
      matchInventory(db, inventory);
      match = Math.min(match, performance.now() - t);
    }
    console.log(`${tag.padEnd(22)}${String(cold.packages.total).padStart(9)}${String(cold.vulnerabilities.length).padStart(7)}${ms(match)}${ms(coldMs).padStart(11)}${ms(warmMs).padStart(13)}`);
  }
  db.close();
} finally {
  await rm(cacheDir, { recursive: true, force: true });
}
