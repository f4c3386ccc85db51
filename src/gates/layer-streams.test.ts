import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { makeTarGz } from '../image/layers/testing/tar.js';
import { parseManifest } from '../image/manifest.js';
import { MediaType } from '../image/mediatypes.js';
import { openImageSource } from '../image/sources/index.js';
import { blobPath } from '../image/sources/oci-layout.js';
import { JobQueue } from '../jobs/queue.js';
import { createMetadataStore, type KyselyMetadataStore } from '../metadata/index.js';
import { RegistryError } from '../registry/errors.js';
import { Registry } from '../registry/registry.js';
import { FilesystemBlobStore } from '../storage/index.js';
import { CORPUS_IMAGES, hasCorpus } from '../testing/corpus.js';
import { bundleWorkerForTests } from '../testing/worker-bundle.js';
import { analyseLayerBlob, finalFiles, gateLayerKey } from './analyse-layer.js';
import { combineHooks } from './hooks.js';
import { LAYER_QUEUE, LayerJobs } from './layer-jobs.js';
import { LayerPool, streamInThread, type StreamedAnalysis, type StreamingAnalysis } from './layer-pool.js';
import { DbLayerStore, type StoredEntry } from './layer-store.js';
import { analysePushedImage, rememberLayerView, VulnDbHandle } from './push-gate.js';
import { LayerStreams, type LayerStreamsOptions } from './layer-streams.js';
import { oneLayerManifest } from '../testing/tiny-image.js';

const PRIVATE_KEY = ['-----BEGIN OPENSSH PRIVATE KEY-----', 'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW', 'QyNTUxOQAAACDxL8qJ6vPq2y1e0yqkZ3n7Q0m5x8e6Vh9oXbT2sF4kUwAAAJj3kQz1d9Gb', '-----END OPENSSH PRIVATE KEY-----', ''].join('\n');
const STATUS = 'Package: libc6\nStatus: install ok installed\nVersion: 2.36-9\nArchitecture: amd64\n\n';

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** A gzip layer of a few hundred KiB (random filler, so it stays that big compressed), with a package and a secret. */
async function layerBlob(tag: string): Promise<Buffer> {
  return makeTarGz([
    { name: 'etc/os-release', content: `ID=debian\nVERSION_ID="12"\nNAME="${tag}"\n` },
    { name: 'var/lib/dpkg/status', content: STATUS },
    { name: 'root/.ssh/id_ed25519', content: PRIVATE_KEY },
    ...Array.from({ length: 60 }, (_, i) => ({ name: `filler/${i}`, content: randomBytes(4096) })),
  ]);
}

function chunks(b: Buffer, n: number): Buffer[] {
  const size = Math.ceil(b.length / n);
  return Array.from({ length: n }, (_, i) => b.subarray(i * size, (i + 1) * size));
}

/** Counts the reads of stored entries, to tell a replayed view from one handed over. */
class CountingLayerStore extends DbLayerStore {
  entryReads = 0;

  override async entries(key: string): Promise<StoredEntry[] | undefined> {
    this.entryReads++;
    return super.entries(key);
  }
}

/** A registry whose uploads are teed into layer analyses, on SQLite and a filesystem blob store. */
async function world(root: string, store: KyselyMetadataStore, streamOpts: Partial<LayerStreamsOptions> = {}, jobOpts: { markStreamed?: boolean; rememberView?: (key: string, json: string) => void } = {}) {
  const blobs = await FilesystemBlobStore.open(root);
  const layers = new DbLayerStore(store.db);
  const queue = new JobQueue(store.db, store.dialect);
  const jobs = new LayerJobs(queue, layers, blobs, store.db, { concurrency: 1, ...jobOpts });
  const streams = new LayerStreams({
    start: (placeholder) => streamInThread(analyseLayerBlob, placeholder),
    maxStreams: 2,
    onCommitted: (digest, size, stream) => jobs.adopt(digest, size, stream),
    ...streamOpts,
  });
  const hooks = combineHooks({
    uploadTap: streams,
    blobCommitted: async (_repo, digest, size, how) => {
      await jobs.blobCommitted(digest, size, how === 'upload' ? streams.knownLayer(digest) : undefined);
    },
  });
  const registry = new Registry({ blobs, meta: store, hooks });
  const reads = vi.spyOn(blobs, 'read');
  return {
    root,
    registry,
    blobs,
    layers,
    queue,
    jobs,
    streams,
    reads,
    /** Uploads `blob` in PATCH chunks and commits it as `digest` (its own by default). */
    async upload(repo: string, blob: Buffer, parts: number, digest = sha(blob)): Promise<void> {
      const repoId = await registry.repositoryId(repo, true);
      const id = await registry.uploads.start(repoId);
      for (const part of chunks(blob, parts)) await registry.uploads.append(repoId, id, Readable.from([part]));
      await registry.uploads.complete(repoId, id, digest);
    },
    layerJobs: async () => (await queue.list({ queue: LAYER_QUEUE })).length,
    async close() {
      streams.close();
      await jobs.stop();
      await blobs.close();
    },
  };
}

describe('layer analysis while the upload streams in', () => {
  let dir: string;
  let store: KyselyMetadataStore;
  let w: Awaited<ReturnType<typeof world>>;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'portcullis-streams-'));
  });
  beforeEach(async () => {
    store = await createMetadataStore({ driver: 'sqlite', path: join(await mkdtemp(join(dir, 'db-')), 'meta.db') });
    await store.migrate();
    w = await world(await mkdtemp(join(dir, 'w-')), store);
  });
  afterEach(async () => {
    await w.close();
    await store.close();
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('stores the facts of a layer uploaded in several PATCH requests from the teed bytes: no job, no read of the blob', async () => {
    const layer = await layerBlob('chunked');
    const digest = sha(layer);
    await w.upload('p/app', layer, 5);
    const key = gateLayerKey(digest);
    expect(await w.jobs.waitFor([key], 30_000)).toEqual([]);
    expect(w.jobs.counts).toEqual({ streamed: 1, queued: 0 });
    expect(await w.layerJobs()).toBe(0);
    expect(w.reads).not.toHaveBeenCalled();
    // The same facts and entries as a walk of the stored blob, under the real digest.
    const direct = await analyseLayerBlob(digest, Readable.from([layer]));
    expect(await w.layers.get(key)).toEqual(direct.facts);
    expect(await w.layers.entries(key)).toEqual(direct.entries);
    expect(JSON.stringify(await w.layers.get(key))).toContain('/root/.ssh/id_ed25519');
    expect((await w.layers.get(key))?.packages.map((p) => p.name)).toEqual(['libc6']);
  });

  it('analyses a monolithic upload the same way, and tells configs from layers without reading them', async () => {
    const layer = await layerBlob('whole');
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }));
    await w.registry.putBlob('p/app', sha(config), Readable.from([config]));
    await w.registry.putBlob('p/app', sha(layer), Readable.from([layer]));
    expect(await w.jobs.waitFor([gateLayerKey(sha(layer))], 30_000)).toEqual([]);
    expect(w.jobs.counts).toEqual({ streamed: 1, queued: 0 });
    expect(await w.layers.has(gateLayerKey(sha(config)))).toBe(false);
    expect(await w.layerJobs()).toBe(0);
    expect(w.reads).not.toHaveBeenCalled();
  });

  it('leaves nothing behind for an upload cancelled mid-way', async () => {
    const layer = await layerBlob('cancelled');
    const repoId = await w.registry.repositoryId('p/app', true);
    const id = await w.registry.uploads.start(repoId);
    const [first, second] = chunks(layer, 3);
    await w.registry.uploads.append(repoId, id, Readable.from([first!]));
    await w.registry.uploads.append(repoId, id, Readable.from([second!]));
    expect(w.streams.running).toBe(1);
    await w.registry.uploads.cancel(repoId, id);
    await vi.waitFor(() => expect(w.streams.running).toBe(0));
    expect(await w.layers.has(gateLayerKey(sha(layer)))).toBe(false);
    expect(w.jobs.counts).toEqual({ streamed: 0, queued: 0 });
    expect(await w.layerJobs()).toBe(0);
  });

  it('stores nothing under a claimed digest the bytes do not have', async () => {
    const layer = await layerBlob('claimed');
    const other = await layerBlob('other');
    const repoId = await w.registry.repositoryId('p/app', true);
    const id = await w.registry.uploads.start(repoId);
    for (const part of chunks(layer, 3)) await w.registry.uploads.append(repoId, id, Readable.from([part]));
    expect(w.streams.running).toBe(1);
    await expect(w.registry.uploads.complete(repoId, id, sha(other))).rejects.toThrow(RegistryError);
    await vi.waitFor(() => expect(w.streams.running).toBe(0));
    expect(await w.layers.has(gateLayerKey(sha(other)))).toBe(false);
    expect(await w.layers.has(gateLayerKey(sha(layer)))).toBe(false);
    expect(await w.layerJobs()).toBe(0);
  });

  it('leaves a delayed stand-in job where processes share the queue, a no-op once the stream stored the facts', async () => {
    await w.close();
    w = await world(w.root, store, {}, { markStreamed: true });
    const layer = await layerBlob('marked');
    const key = gateLayerKey(sha(layer));
    await w.upload('p/app', layer, 3);
    expect(await w.jobs.waitFor([key], 30_000)).toEqual([]);
    const [job] = await w.queue.list({ queue: LAYER_QUEUE });
    expect(job).toMatchObject({ state: 'queued', key });
    expect(job!.runAfter.getTime()).toBeGreaterThan(Date.now());
    expect(await w.queue.expedite(LAYER_QUEUE, key)).toBe(true);
    w.jobs.start();
    await vi.waitFor(async () => expect((await w.queue.get(job!.id))?.state).toBe('done'));
    expect((await w.queue.get(job!.id))?.result).toEqual({ packages: -1, entries: -1 });
    expect(w.jobs.counts).toEqual({ streamed: 1, queued: 0 });
  });

  it('hands the push gate the single-layer filesystem it built on the way, so the first push replays no entries', async () => {
    await w.close();
    w = await world(w.root, store, {}, { rememberView: rememberLayerView });
    const layer = await layerBlob('view');
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: { User: 'root' }, rootfs: { type: 'layers', diff_ids: [] } }));
    await w.registry.putBlob('p/app', sha(config), Readable.from([config]));
    await w.upload('p/app', layer, 3);
    const key = gateLayerKey(sha(layer));
    expect(await w.jobs.waitFor([key], 30_000)).toEqual([]);
    const content = oneLayerManifest(config, layer, MediaType.OciLayerGzip);
    const layers = new CountingLayerStore(store.db);
    const deps = { blobs: w.blobs, layers, jobs: w.jobs, vulnDb: new VulnDbHandle(join(dir, 'no-db')), cacheDir: dir, waitMs: 30_000 };
    const got = await analysePushedImage(deps, { repository: 'p/app', repositoryId: 1, digest: sha(content), parsed: parseManifest(content), content });
    expect(layers.entryReads).toBe(0);
    expect(got.lateLayers).toBe(0);
    expect(got.input.secrets.map((x) => x.ruleId)).toContain('private-key');
    expect(got.input.misconfigurations.map((m) => m.id)).toContain('PCS-IMG-001');
  });

  it('leaves an upload resumed after a restart to the queue, which analyses it', async () => {
    const layer = await layerBlob('resumed');
    const repoId = await w.registry.repositoryId('p/app', true);
    const id = await w.registry.uploads.start(repoId);
    const [first, ...rest] = chunks(layer, 3);
    await w.registry.uploads.append(repoId, id, Readable.from([first!]));
    // "Restart": a new process (registry, tap, jobs) on the same storage and database finishes the upload.
    await w.close();
    w = await world(w.root, store);
    for (const part of rest) await w.registry.uploads.append(repoId, id, Readable.from([part]));
    await w.registry.uploads.complete(repoId, id, sha(layer));
    expect(await w.layerJobs()).toBe(1);
    w.jobs.start();
    const key = gateLayerKey(sha(layer));
    expect(await w.jobs.waitFor([key], 30_000)).toEqual([]);
    expect(w.jobs.counts).toEqual({ streamed: 0, queued: 1 });
    expect(w.reads).toHaveBeenCalled();
    expect(JSON.stringify(await w.layers.get(key))).toContain('/root/.ssh/id_ed25519');
  });
});

/** An analysis that takes bytes but never consumes them. */
function stuckAnalysis(): StreamingAnalysis & { aborted: string | undefined } {
  let lag = 0;
  let fail: (err: Error) => void = () => undefined;
  const result = new Promise<StreamedAnalysis>((_resolve, reject) => (fail = reject));
  result.catch(() => undefined);
  const a = {
    aborted: undefined as string | undefined,
    write: (c: Uint8Array) => void (lag += c.length),
    end: () => undefined,
    abort: (reason: string) => {
      a.aborted = reason;
      lag = 0;
      fail(new Error(reason));
    },
    get lagBytes() {
      return lag;
    },
    onProgress: () => undefined,
    result,
  };
  return a;
}

describe('an analysis that cannot keep up', () => {
  it('is dropped without failing the upload, and the committed layer goes to the queue', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'portcullis-streams-stall-'));
    const store = await createMetadataStore({ driver: 'sqlite', path: join(dir, 'meta.db') });
    await store.migrate();
    const stuck = stuckAnalysis();
    const w = await world(join(dir, 'w'), store, { start: () => stuck, maxLagBytes: 1024, stallMs: 20 });
    try {
      const layer = await layerBlob('stalled');
      await w.upload('p/app', layer, 4);
      expect(stuck.aborted).toBe('layer analysis stalled');
      expect(await w.layerJobs()).toBe(1);
      w.jobs.start();
      expect(await w.jobs.waitFor([gateLayerKey(sha(layer))], 30_000)).toEqual([]);
      expect(w.jobs.counts).toEqual({ streamed: 0, queued: 1 });
    } finally {
      await w.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('streamed analysis in a worker thread', () => {
  it('gives the in-thread facts with the digest stand-in, hashes every byte, and stops when aborted', async () => {
    const workerFile = await bundleWorkerForTests('src/gates/layer-worker.ts');
    const pool = new LayerPool(workerFile, 2, 1);
    try {
      await pool.warmUp();
      const layer = await layerBlob('worker');
      const placeholder = `sha256:${'ab'.repeat(32)}`;
      const analysis = pool.stream(placeholder);
      for (const part of chunks(layer, 7)) analysis.write(part);
      analysis.end();
      const got = await analysis.result;
      expect(got.seen).toEqual({ digest: sha(layer), size: layer.length });
      const inThread = await analyseLayerBlob(placeholder, Readable.from([layer]));
      expect({ facts: JSON.parse(got.factsJson) as unknown, entries: JSON.parse(got.entriesJson) as unknown }).toEqual(inThread);
      expect(JSON.parse(got.viewJson!)).toEqual(finalFiles([inThread.entries]));

      const aborted = pool.stream(placeholder);
      aborted.write(chunks(layer, 3)[0]!);
      aborted.abort('upload cancelled');
      await expect(aborted.result).rejects.toThrow('upload cancelled');
    } finally {
      await pool.close();
      await rm(join(workerFile, '..'), { recursive: true, force: true });
    }
  }, 60_000);
});

describe('an analysis that saw other bytes', () => {
  it('is not stored; the queue analyses the layer at once, even where a delayed stand-in was queued', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'portcullis-streams-other-'));
    const store = await createMetadataStore({ driver: 'sqlite', path: join(dir, 'meta.db') });
    await store.migrate();
    const liar = (placeholder: string): StreamingAnalysis => {
      const inner = streamInThread(analyseLayerBlob, placeholder);
      return { ...inner, get lagBytes() { return inner.lagBytes; }, result: inner.result.then((r) => ({ ...r, seen: { ...r.seen, digest: sha(Buffer.from('other')) } })) };
    };
    const w = await world(join(dir, 'w'), store, { start: liar }, { markStreamed: true });
    try {
      const layer = await layerBlob('lied');
      const key = gateLayerKey(sha(layer));
      await w.upload('p/app', layer, 2);
      w.jobs.start();
      expect(await w.jobs.waitFor([key], 30_000)).toEqual([]);
      expect(w.jobs.counts).toEqual({ streamed: 0, queued: 1 });
      expect(JSON.stringify(await w.layers.get(key))).toContain('/root/.ssh/id_ed25519');
    } finally {
      await w.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('the single-layer view built during the walk', () => {
  it('is the final filesystem a replay of the layer\'s entries gives', async () => {
    const layers = [
      await layerBlob('plain'),
      await makeTarGz([
        { name: 'etc/', type: 'directory' },
        { name: 'etc/passwd', content: 'root:x:0:0::/root:/bin/sh\n' },
        { name: 'usr/bin/su', content: 'x', mode: 0o4755 },
        { name: 'tmp/.wh.gone', content: '' },
        { name: 'bin/sh', type: 'symlink', linkname: '/bin/busybox' },
        { name: 'bin/ash', type: 'link', linkname: 'bin/sh' },
        { name: 'etc/passwd', content: 'again\n', uid: 3 },
      ]),
    ];
    for (const layer of layers) {
      const got = await analyseLayerBlob(sha(layer), Readable.from([layer]), { view: true });
      expect(got.files).toEqual(finalFiles([got.entries]));
    }
  });

  it.skipIf(!hasCorpus)('is the same for the real layers of the shared images', async () => {
    const source = await openImageSource(`oci:${CORPUS_IMAGES}:debian-old`);
    try {
      for (const l of source.layers) {
        const got = await analyseLayerBlob(l.digest, createReadStream(blobPath(CORPUS_IMAGES, l.digest)), { view: true });
        expect(got.files).toEqual(finalFiles([got.entries]));
      }
    } finally {
      await source.close();
    }
  }, 60_000);
});
