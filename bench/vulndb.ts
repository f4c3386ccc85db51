/**
 * Vulnerability DB figures over the corpus: import time per feed, DB size, and match time per
 * corpus image (inventories from expected/<image>.packages.tsv). Prints figures; asserts nothing.
 * Run: npx tsx bench/vulndb.ts
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ImageInventory, Package, PackageType } from '../src/analysis/types.js';
import { CORPUS_TAGS, corpusPath, hasCorpus, parseTsv } from '../src/testing/corpus.js';
import { VulnDb, importPath, matchInventory } from '../src/vulndb/index.js';

if (!hasCorpus) {
  console.error('corpus absent: nothing to measure');
  process.exit(0);
}

const TYPES: Record<string, [PackageType, string]> = { dpkg: ['dpkg', 'Debian:12'], npm: ['npm', 'npm'], python: ['python', 'PyPI'] };

function inventory(tag: string): ImageInventory {
  const packages = parseTsv(readFileSync(corpusPath('expected', `${tag}.packages.tsv`), 'utf8')).map((r): Package => {
    const [type, ecosystem] = TYPES[r.type ?? ''] ?? ['npm', 'npm'];
    return {
      type,
      ecosystem,
      name: r.name ?? '',
      version: r.version ?? '',
      path: r.path ?? '',
      purl: '',
      ...(r.source_name ? { sourceName: r.source_name, sourceVersion: r.source_version ?? '' } : {}),
      ...(r.owned_by_dpkg ? { ownedBy: r.owned_by_dpkg } : {}),
    };
  });
  return { packages, layers: [], warnings: [] };
}

const dir = mkdtempSync(join(tmpdir(), 'portcullis-bench-vulndb-'));
const path = join(dir, 'vulndb.sqlite');
const db = VulnDb.open(path);
try {
  console.log('feed\trecords\tms');
  for (const feed of ['osv/Go', 'osv/PyPI', 'osv/npm', 'debian/bookworm-subset.json']) {
    const t0 = performance.now();
    const stats = importPath(db, corpusPath('vulndata', feed));
    console.log(`${feed}\t${stats.records}\t${(performance.now() - t0).toFixed(0)}`);
  }
  db.db.pragma('wal_checkpoint(TRUNCATE)');
  console.log(`\nDB size: ${(statSync(path).size / 1024 / 1024).toFixed(1)} MiB\n`);
  console.log('image\tpackages\tfindings\tms (5 runs, best)');
  for (const tag of CORPUS_TAGS) {
    const inv = inventory(tag);
    let best = Infinity;
    let findings = 0;
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      findings = matchInventory(db, inv).length;
      best = Math.min(best, performance.now() - t0);
    }
    console.log(`${tag}\t${inv.packages.length}\t${findings}\t${best.toFixed(1)}`);
  }
} finally {
  db.close();
  rmSync(dir, { recursive: true, force: true });
}
