import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LayerFacts } from '../analysis/types.js';
import { parseManifest } from '../image/manifest.js';
import { blobPath } from '../image/sources/oci-layout.js';
import { openImageSource } from '../image/sources/index.js';
import { JobQueue } from '../jobs/queue.js';
import { createMetadataStore, type KyselyMetadataStore } from '../metadata/index.js';
import { scanImage } from '../scan/index.js';
import type { BlobStore } from '../storage/blobstore.js';
import { CORPUS_IMAGES, corpusPath, hasCorpus } from '../testing/corpus.js';
import { VulnDb } from '../vulndb/db/database.js';
import { dbPath } from '../vulndb/db/paths.js';
import { importPath } from '../vulndb/importers/index.js';
import { AnalysisMemo } from './analysis-memo.js';
import { LayerJobs } from './layer-jobs.js';
import { DbLayerStore, type StoredEntry } from './layer-store.js';
import { analysePushedImage, VulnDbHandle } from './push-gate.js';

/** Counts the reads of stored entries, to tell a rebuilt view from a remembered one. */
class CountingLayerStore extends DbLayerStore {
  entryReads = 0;
  factReads = 0;

  override async get(key: string): Promise<LayerFacts | undefined> {
    this.factReads++;
    return super.get(key);
  }

  override async entries(key: string): Promise<StoredEntry[] | undefined> {
    this.entryReads++;
    return super.entries(key);
  }
}

describe.skipIf(!hasCorpus)('push analysis with a remembered final filesystem', () => {
  let dir: string;
  let store: KyselyMetadataStore;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'portcullis-gates-memo-'));
    store = await createMetadataStore({ driver: 'sqlite', path: join(dir, 'meta.db') });
    await store.migrate();
  });
  afterAll(async () => {
    await store?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('judges a re-push of the same layers exactly as the first push and as a full scan, without rebuilding the view', async () => {
    const source = await openImageSource(`oci:${CORPUS_IMAGES}:debian-risky`);
    const full = await scanImage(source, { scanners: ['secret', 'misconfig'], layerCache: false, finalFsCache: false, cacheDir: dir });
    await source.close();

    const blobs = { read: async (d: string, r?: { start: number; end: number }) => createReadStream(blobPath(CORPUS_IMAGES, d), r ? { start: r.start, end: r.end } : {}) } as unknown as BlobStore;
    const layers = new CountingLayerStore(store.db);
    const jobs = new LayerJobs(new JobQueue(store.db, store.dialect), layers, blobs, store.db, { concurrency: 2 });
    jobs.start();
    try {
      for (const l of source.layers) await jobs.blobCommitted(l.digest, l.size);
      const content = await readFile(blobPath(CORPUS_IMAGES, source.manifestDigest));
      const deps = { blobs, layers, jobs, vulnDb: new VulnDbHandle(join(dir, 'no-db')), cacheDir: dir, waitMs: 30_000 };
      const analyse = (repository: string) => analysePushedImage(deps, { repository, repositoryId: 1, digest: source.manifestDigest, parsed: parseManifest(content), content });

      const first = await analyse('p/one');
      expect(first.lateLayers).toBe(0);
      const reads = layers.entryReads;
      expect(reads).toBe(source.layers.length);
      const again = await analyse('p/two');
      expect(layers.entryReads).toBe(reads);

      const key = (f: { ruleId?: string; id?: string; location?: unknown; evidence?: unknown }) => JSON.stringify([f.ruleId ?? f.id, f.location, f.evidence]);
      expect(again.input).toEqual(first.input);
      expect(again.report.misconfigurations).toEqual(first.report.misconfigurations);
      expect(again.report.secrets).toEqual(first.report.secrets);
      expect(again.report.misconfigurations.map(key).sort()).toEqual(full.misconfigurations.map(key).sort());
      expect(again.report.secrets.map(key).sort()).toEqual(full.secrets.map(key).sort());
    } finally {
      await jobs.stop();
    }
  }, 60_000);

  it('answers the same image pushed again from the remembered analysis, under its own name, until the vulnerability data changes', async () => {
    const source = await openImageSource(`oci:${CORPUS_IMAGES}:node-app`);
    await source.close();
    const cacheDir = join(dir, 'vuln-cache');
    const vulns = VulnDb.open(dbPath(cacheDir));
    importPath(vulns, corpusPath('vulndata', 'osv/PyPI'));
    vulns.close();
    const blobs = { read: async (d: string, r?: { start: number; end: number }) => createReadStream(blobPath(CORPUS_IMAGES, d), r ? { start: r.start, end: r.end } : {}) } as unknown as BlobStore;
    const layers = new CountingLayerStore(store.db);
    const jobs = new LayerJobs(new JobQueue(store.db, store.dialect), layers, blobs, store.db, { concurrency: 2 });
    jobs.start();
    const vulnDb = new VulnDbHandle(cacheDir);
    try {
      for (const l of source.layers) await jobs.blobCommitted(l.digest, l.size);
      const content = await readFile(blobPath(CORPUS_IMAGES, source.manifestDigest));
      const deps = { blobs, layers, jobs, vulnDb, cacheDir, waitMs: 30_000, memo: new AnalysisMemo() };
      const analyse = (repository: string, tag: string) => analysePushedImage(deps, { repository, repositoryId: 1, tag, digest: source.manifestDigest, parsed: parseManifest(content), content });

      const first = await analyse('p/one', 'v1');
      const reads = layers.factReads;
      expect(reads).toBeGreaterThan(0);
      const again = await analyse('p/two', 'v2');
      expect(layers.factReads).toBe(reads);
      expect(again.report.artifact.name).toBe(`p/two:v2@${source.manifestDigest}`);
      expect(again.input).toEqual(first.input);
      expect(again.report.vulnerabilities).toEqual(first.report.vulnerabilities);
      expect(first.report.vulnerabilities.filter((v) => v.package.name === 'lodash')).toEqual([]);
      // Each push owns its copy.
      again.input.secrets.push({ ruleId: 'x', severity: 'LOW', title: 'x', where: 'x' });
      expect((await analyse('p/three', 'v3')).input).toEqual(first.input);

      // New vulnerability data: analysed again, and the new advisories are found.
      const writer = VulnDb.open(dbPath(cacheDir));
      importPath(writer, corpusPath('vulndata', 'osv/npm'));
      writer.close();
      const later = await analyse('p/four', 'v4');
      expect(layers.factReads).toBeGreaterThan(reads);
      expect(later.report.vulnerabilities.filter((v) => v.package.name === 'lodash').length).toBeGreaterThan(0);
    } finally {
      vulnDb.close();
      await jobs.stop();
    }
  }, 60_000);
});
