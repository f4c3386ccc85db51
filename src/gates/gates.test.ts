import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeLayer } from '../analysis/engine/index.js';
import { ANALYZERS } from '../analysis/analyzers/index.js';
import { digestOf } from '../image/digest.js';
import { makeTar, makeTarGz } from '../image/layers/testing/tar.js';
import { VirtualFs } from '../image/layers/vfs.js';
import { parseManifest } from '../image/manifest.js';
import { MediaType } from '../image/mediatypes.js';
import { blobPath } from '../image/sources/oci-layout.js';
import { openImageSource } from '../image/sources/index.js';
import { JobQueue } from '../jobs/queue.js';
import { createMetadataStore, type KyselyMetadataStore } from '../metadata/index.js';
import { evaluate, DEFAULT_POLICY } from '../policy/index.js';
import { scanImage } from '../scan/index.js';
import type { BlobStore } from '../storage/blobstore.js';
import { CORPUS_IMAGES, hasCorpus } from '../testing/corpus.js';
import { startPostgres, type PostgresServer } from '../testing/postgres.js';
import { analyseLayerBlob, finalFiles, gateLayerKey } from './analyse-layer.js';
import { artifactKind } from './artifact.js';
import { combineHooks } from './hooks.js';
import { LayerJobs } from './layer-jobs.js';
import { DbLayerStore } from './layer-store.js';
import { analysePushedImage, NO_VULN_DATA, VulnDbHandle } from './push-gate.js';
import { ReportStore } from './report-store.js';
import { LayerPool } from './layer-pool.js';
import { looksLikeLayer } from './sniff.js';
import { bundleWorkerForTests } from '../testing/worker-bundle.js';
import { oneLayerManifest } from '../testing/tiny-image.js';

/** A blob store over a map (or an OCI layout directory): what the gates read. */
function blobStore(read: (digest: string, range?: { start: number; end: number }) => Readable): BlobStore {
  return { read: async (digest: string, range?: { start: number; end: number }) => read(digest, range) } as unknown as BlobStore;
}
function memoryBlobs(blobs: Map<string, Buffer>): BlobStore {
  return blobStore((d, r) => {
    const b = blobs.get(d);
    if (!b) throw new Error(`no blob ${d}`);
    return Readable.from([r ? b.subarray(r.start, r.end + 1) : b]);
  });
}

const manifestOf = (config: string, layers: string[], extra: Record<string, unknown> = {}) =>
  parseManifest(
    Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.OciManifest, config: { mediaType: config, digest: digestOf('c'), size: 1 }, layers: layers.map((mediaType) => ({ mediaType, digest: digestOf(mediaType), size: 1 })), ...extra })),
  );

describe('recognising layers and images', () => {
  it('sniffs gzip, zstd and plain tar as layers and JSON as not', async () => {
    const tarBytes = await makeTar([{ name: 'etc/hostname', content: 'x' }]);
    expect(looksLikeLayer(tarBytes.subarray(0, 512))).toBe(true);
    expect(looksLikeLayer((await makeTarGz([{ name: 'a', content: 'b' }])).subarray(0, 512))).toBe(true);
    expect(looksLikeLayer(Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0, 0]))).toBe(true);
    expect(looksLikeLayer(Buffer.from('{"architecture":"amd64","os":"linux"}'))).toBe(false);
    expect(looksLikeLayer(Buffer.alloc(0))).toBe(false);
  });

  it('gates images and lets signatures, attestations, referrers, Helm charts and indexes through', () => {
    expect(artifactKind(manifestOf(MediaType.OciConfig, [MediaType.OciLayerGzip]))).toBe('image');
    expect(artifactKind(manifestOf(MediaType.DockerConfig, [MediaType.DockerLayerGzip]))).toBe('image');
    expect(artifactKind(manifestOf(MediaType.OciConfig, [MediaType.CosignSimpleSigning]))).toBe('artifact');
    expect(artifactKind(manifestOf(MediaType.OciConfig, [MediaType.InTotoDsse]))).toBe('artifact');
    expect(artifactKind(manifestOf('application/vnd.cncf.helm.config.v1+json', ['application/vnd.cncf.helm.chart.content.v1.tar+gzip']))).toBe('artifact');
    expect(artifactKind(manifestOf(MediaType.OciEmpty, [MediaType.SigstoreBundle], { artifactType: MediaType.SigstoreBundle }))).toBe('artifact');
    const subject = { mediaType: MediaType.OciManifest, digest: digestOf('s'), size: 1 };
    expect(artifactKind(manifestOf(MediaType.OciConfig, [MediaType.OciLayerGzip], { subject }))).toBe('artifact');
    const index = parseManifest(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: [] })));
    expect(artifactKind(index)).toBe('index');
  });

  it('combines hooks in order', async () => {
    const calls: string[] = [];
    const hooks = combineHooks({ blobCommitted: () => void calls.push('a') }, {}, { blobCommitted: async () => void calls.push('b') });
    await hooks.blobCommitted?.('r', 'd', 1, 'upload');
    expect(calls).toEqual(['a', 'b']);
  });
});

describe('layer facts and the final filesystem', () => {
  it('rebuilds the same final filesystem from recorded entries as a direct walk', async () => {
    const layers = [
      await makeTarGz([
        { name: 'etc/', type: 'directory' },
        { name: 'etc/passwd', content: 'root:x:0:0::/root:/bin/sh\n' },
        { name: 'usr/bin/su', content: 'x', mode: 0o4755 },
        { name: 'tmp/secret.txt', content: 'gone later' },
        { name: 'bin/sh', type: 'symlink', linkname: '/bin/busybox' },
      ]),
      await makeTarGz([{ name: 'tmp/.wh.secret.txt', content: '' }, { name: 'etc/group', content: 'root:x:0:\n', uid: 5, gid: 6 }]),
    ];
    const recorded = await Promise.all(layers.map(async (b, i) => (await analyseLayerBlob(`sha256:${i}`, Readable.from([b]))).entries));
    const direct = new VirtualFs();
    for (const [i, b] of layers.entries()) await analyzeLayer(Readable.from([b]), { layerDigest: `sha256:${i}`, layerIndex: i, analyzers: ANALYZERS, vfs: direct });
    const walked = [...direct.walk()].map(([path, n]) => ({ path, type: n.type, mode: n.mode, uid: n.uid, gid: n.gid, layerIndex: n.layerIndex, ...(n.linkTarget !== undefined ? { linkTarget: n.linkTarget } : {}) }));
    const rebuilt = finalFiles(recorded);
    expect(rebuilt).toEqual(walked);
    expect(rebuilt.map((f) => f.path)).not.toContain('/tmp/secret.txt');
    expect(rebuilt.find((f) => f.path === '/etc/group')).toMatchObject({ uid: 5, gid: 6, layerIndex: 1 });
  });
});

describe('layer analysis in worker threads', () => {
  it('gives the same facts and entries as the in-thread walk, and passes stream errors on', async () => {
    const workerFile = await bundleWorkerForTests('src/gates/layer-worker.ts');
    const pool = new LayerPool(workerFile, 1);
    try {
      const layer = await makeTarGz([
        { name: 'etc/os-release', content: 'ID=alpine\nVERSION_ID=3.19.1\n' },
        { name: 'lib/apk/db/installed', content: 'P:musl\nV:1.2.4-r2\nA:x86_64\n\n' },
        ...Array.from({ length: 200 }, (_, i) => ({ name: `data/${i}`, content: 'y'.repeat(4000 + i) })),
      ]);
      const chunks = (b: Buffer) => Readable.from(Array.from({ length: Math.ceil(b.length / 10_000) }, (_, i) => b.subarray(i * 10_000, (i + 1) * 10_000)));
      const inThread = await analyseLayerBlob('sha256:l', chunks(layer));
      const pooled = await pool.analyse('sha256:l', chunks(layer));
      expect(pooled).toEqual(inThread);
      expect(pooled.facts.packages.map((p) => p.name)).toEqual(['musl']);
      const broken = new Readable({ read() { this.destroy(new Error('disk on fire')); } });
      await expect(pool.analyse('sha256:x', broken)).rejects.toThrow('disk on fire');
    } finally {
      await pool.close();
      await rm(join(workerFile, '..'), { recursive: true, force: true });
    }
  }, 60_000);
});

const dialects = ['sqlite', 'postgres'] as const;
const PRIVATE_KEY = [
  '-----BEGIN OPENSSH PRIVATE KEY-----',
  'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW',
  'QyNTUxOQAAACDxL8qJ6vPq2y1e0yqkZ3n7Q0m5x8e6Vh9oXbT2sF4kUwAAAJj3kQz1d9Gb',
  '-----END OPENSSH PRIVATE KEY-----',
  '',
].join('\n');
describe.each(dialects)('gate stores and layer jobs on %s', (dialect) => {
  let pg: PostgresServer | undefined;
  let dir: string;
  let store: KyselyMetadataStore;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'portcullis-gates-'));
    if (dialect === 'postgres') pg = await startPostgres();
    store = await createMetadataStore(pg ? { driver: 'postgres', url: await pg.createDatabase('gates') } : { driver: 'sqlite', path: join(dir, 'meta.db') });
    await store.migrate();
  }, 60_000);
  afterAll(async () => {
    await store?.close();
    await pg?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('stores reports per repository and digest, replaces them on a re-push and lists them newest first', async () => {
    const reports = new ReportStore(store.db);
    const base = { schemaVersion: 1, secrets: [], misconfigurations: [], packages: { total: 2, byType: {}, items: [] }, totals: { vulnerabilities: { CRITICAL: 1, HIGH: 0, MEDIUM: 0, LOW: 0, UNKNOWN: 0, NEGLIGIBLE: 0 } } };
    const input = { scanned: true, vulnerabilities: [], secrets: [], misconfigurations: [], baseImages: [] };
    const decision = evaluate(DEFAULT_POLICY, 'push', input, new Date('2026-01-01T00:00:00Z'));
    const put = (digest: string) =>
      reports.put({ repository: 'p/r', digest, report: base as never, inventory: { packages: [], layers: [], warnings: [] }, input, decision });
    await put(digestOf('one'));
    await new Promise((r) => setTimeout(r, 5));
    await put(digestOf('two'));
    await put(digestOf('two'));
    const list = await reports.list('p/r');
    expect(list.map((a) => a.digest)).toEqual([digestOf('two'), digestOf('one')]);
    expect(list[0]).toMatchObject({ packages: 2, decision: { allowed: true, violations: 0 }, vulnerabilities: { CRITICAL: 1 } });
    expect((await reports.input('p/r', digestOf('one')))?.scanned).toBe(true);
    expect(await reports.get('p/other', digestOf('one'))).toBeUndefined();
    await reports.delete('p/r', digestOf('one'));
    expect(await reports.get('p/r', digestOf('one'))).toBeUndefined();
  });

  it('reads layers the jobs have not analysed during the PUT, then has the jobs record them', async () => {
    const tarBytes = await makeTar([{ name: 'root/.ssh/id_ed25519', content: PRIVATE_KEY }, { name: 'usr/bin/nc', content: 'x', mode: 0o755 }]);
    const layer = gzipSync(tarBytes);
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: { User: 'root' }, rootfs: { type: 'layers', diff_ids: [digestOf(tarBytes)] } }));
    const manifest = oneLayerManifest(config, layer, MediaType.OciLayerGzip);
    const blobs = memoryBlobs(new Map([[digestOf(layer), layer], [digestOf(config), config]]));
    const layers = new DbLayerStore(store.db);
    const jobs = new LayerJobs(new JobQueue(store.db, store.dialect), layers, blobs, store.db, { concurrency: 1 });
    const ctx = { repository: 'p/late', repositoryId: 1, digest: digestOf(manifest), parsed: parseManifest(manifest), content: manifest };
    const got = await analysePushedImage({ blobs, layers, jobs, vulnDb: new VulnDbHandle(join(dir, 'none')), cacheDir: dir, waitMs: 1000 }, ctx);
    expect(got.lateLayers).toBe(1);
    expect(got.input.secrets.map((x) => x.ruleId)).toContain('private-key');
    expect(got.input.misconfigurations.map((m) => m.id)).toContain('PCS-IMG-001');
    const key = gateLayerKey(digestOf(layer));
    expect(await layers.complete(key)).toBe(false);
    jobs.start();
    try {
      expect(await jobs.waitFor([key], 10_000)).toEqual([]);
      expect(await layers.complete(key)).toBe(true);
      const again = await analysePushedImage({ blobs, layers, jobs, vulnDb: new VulnDbHandle(join(dir, 'none')), cacheDir: dir, waitMs: 1000 }, ctx);
      expect(again.lateLayers).toBe(0);
      expect(again.input).toEqual(got.input);
    } finally {
      await jobs.stop();
    }
  });

  it('analyses a new layer blob once in a job and skips configs', async () => {
    const layer = await makeTarGz([{ name: 'etc/os-release', content: 'ID=debian\nVERSION_ID="12"\n' }, { name: 'root/.ssh/id_ed25519', content: PRIVATE_KEY }]);
    const config = Buffer.from('{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}');
    const blobs = new Map([[digestOf(layer), layer], [digestOf(config), config]]);
    const layers = new DbLayerStore(store.db);
    const jobs = new LayerJobs(new JobQueue(store.db, store.dialect), layers, memoryBlobs(blobs), store.db, { concurrency: 1 });
    jobs.start();
    try {
      expect(await jobs.blobCommitted(digestOf(config), config.length)).toBe(false);
      expect(await jobs.blobCommitted(digestOf(layer), layer.length)).toBe(true);
      const key = gateLayerKey(digestOf(layer));
      expect(await jobs.waitFor([key], 10_000)).toEqual([]);
      const facts = await layers.get(key);
      expect(facts?.os?.family).toBe('debian');
      expect(JSON.stringify(facts?.extra)).toContain('/root/.ssh/id_ed25519');
      expect((await layers.entries(key))?.map((e) => e.path)).toEqual(['/etc/os-release', '/root/.ssh/id_ed25519']);
      // Analysed once: the same digest again is not queued.
      expect(await jobs.blobCommitted(digestOf(layer), layer.length)).toBe(false);
      // Nothing queued for a key: no wait at all.
      expect(await jobs.waitFor([gateLayerKey(digestOf('never'))], 60_000)).toEqual([gateLayerKey(digestOf('never'))]);
    } finally {
      await jobs.stop();
    }
  });
});

describe.skipIf(!hasCorpus)('push analysis from stored layer facts', () => {
  let dir: string;
  let store: KyselyMetadataStore;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'portcullis-gates-corpus-'));
    store = await createMetadataStore({ driver: 'sqlite', path: join(dir, 'meta.db') });
    await store.migrate();
  });
  afterAll(async () => {
    await store?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('finds what a full scan finds on debian-risky, without re-reading analysed layers', async () => {
    const source = await openImageSource(`oci:${CORPUS_IMAGES}:debian-risky`);
    const full = await scanImage(source, { scanners: ['secret', 'misconfig'], layerCache: false, finalFsCache: false, cacheDir: dir });
    await source.close();

    const read: string[] = [];
    const blobs = blobStore((d, r) => {
      read.push(r ? `${d} head` : d);
      return createReadStream(blobPath(CORPUS_IMAGES, d), r ? { start: r.start, end: r.end } : {});
    });
    const layers = new DbLayerStore(store.db);
    const jobs = new LayerJobs(new JobQueue(store.db, store.dialect), layers, blobs, store.db, { concurrency: 2 });
    jobs.start();
    try {
      for (const l of source.layers) await jobs.blobCommitted(l.digest, l.size);
      const content = await readFile(blobPath(CORPUS_IMAGES, source.manifestDigest));
      const ctx = { repository: 'p/risky', repositoryId: 1, digest: source.manifestDigest, parsed: parseManifest(content), content };
      read.length = 0;
      const got = await analysePushedImage({ blobs, layers, jobs, vulnDb: new VulnDbHandle(join(dir, 'no-db')), cacheDir: dir, waitMs: 30_000 }, ctx);
      expect(got.lateLayers).toBe(0);
      // Only the config was read at PUT time: every layer came from the job's facts and entries.
      expect(read.filter((d) => source.layers.some((l) => l.digest === d))).toEqual([]);
      const key = (f: { ruleId?: string; id?: string; location?: unknown }) => JSON.stringify([f.ruleId ?? f.id, f.location]);
      expect(got.report.secrets.map(key).sort()).toEqual(full.secrets.map(key).sort());
      expect(got.report.misconfigurations.map(key).sort()).toEqual(full.misconfigurations.map(key).sort());
      expect(got.report.packages.total).toBe(full.packages.total);
      expect(got.report.warnings.map((w) => w.code)).toContain(NO_VULN_DATA);
      expect(got.input.secrets.length).toBeGreaterThan(0);
    } finally {
      await jobs.stop();
    }
  }, 60_000);
});
