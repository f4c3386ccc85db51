import { EventEmitter } from 'node:events';
import type { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { JobQueue } from '../jobs/queue.js';
import type { JobTables } from '../jobs/types.js';
import { Worker } from '../jobs/worker.js';
import type { BlobStore } from '../storage/blobstore.js';
import { analyseLayerBlob, gateLayerKey } from './analyse-layer.js';
import type { LayerAnalysis } from './layer-pool.js';
import type { DbLayerStore } from './layer-store.js';
import { looksLikeLayer, SNIFF_BYTES } from './sniff.js';

export const LAYER_QUEUE = 'gates.layer';

interface LayerJob {
  digest: string;
}

async function readHead(blobs: BlobStore, digest: string, size: number): Promise<Buffer> {
  if (size <= 0) return Buffer.alloc(0);
  const stream = await blobs.read(digest, { start: 0, end: Math.min(size, SNIFF_BYTES) - 1 });
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Layer analysis as blobs arrive: a dedupe-keyed job per new layer blob in the shared queue, run
 * by a bounded worker; the facts land in the database layer store that the push gate reads.
 */
export class LayerJobs {
  private readonly worker: Worker<LayerJob>;
  private readonly done = new EventEmitter();
  private readonly jobsDb: Kysely<JobTables>;
  private readonly analyse: (digest: string, stream: Readable) => Promise<LayerAnalysis>;

  constructor(
    private readonly queue: JobQueue,
    private readonly store: DbLayerStore,
    private readonly blobs: BlobStore,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    db: Kysely<any>,
    opts: { concurrency: number; logger?: Logger; analyse?: (digest: string, stream: Readable) => Promise<LayerAnalysis> },
  ) {
    this.analyse = opts.analyse ?? analyseLayerBlob;
    this.jobsDb = db as Kysely<JobTables>;
    this.done.setMaxListeners(0);
    this.worker = new Worker<LayerJob>(queue, LAYER_QUEUE, (job) => this.run(job.payload), {
      concurrency: opts.concurrency,
      pollMs: 500,
      onError: (job, err) => opts.logger?.warn({ err, job: job.id }, 'layer analysis failed'),
    });
  }

  start(): void {
    this.worker.start();
  }

  async stop(): Promise<void> {
    await this.worker.stop();
  }

  /** A blob became visible: queue it for analysis when it is a layer not analysed yet. True when queued. */
  async blobCommitted(digest: string, size: number): Promise<boolean> {
    const key = gateLayerKey(digest);
    if (await this.store.complete(key)) return false;
    if (!looksLikeLayer(await readHead(this.blobs, digest, size))) return false;
    await this.ensure(digest);
    return true;
  }

  /** Queues a known layer whose facts or entries are missing (deduplicated while queued or running). */
  async ensure(digest: string): Promise<void> {
    await this.queue.enqueue<LayerJob>(LAYER_QUEUE, { digest }, { key: gateLayerKey(digest), maxAttempts: 3 });
    this.worker.notify();
  }

  private async run(job: LayerJob): Promise<{ packages: number; entries: number }> {
    const key = gateLayerKey(job.digest);
    try {
      if (await this.store.complete(key)) return { packages: -1, entries: -1 };
      const { facts, entries } = await this.analyse(job.digest, await this.blobs.read(job.digest));
      await this.store.put(key, facts, entries);
      return { packages: facts.packages.length, entries: entries.length };
    } finally {
      this.done.emit(key);
    }
  }

  /**
   * Waits until every key is in the store, or no job for the missing ones is queued or running
   * any more, or the deadline passes. Returns the keys still missing.
   */
  async waitFor(keys: readonly string[], timeoutMs: number): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const present = await this.store.present(keys);
      const missing = keys.filter((k) => !present.has(k));
      if (missing.length === 0) return [];
      const live = await this.jobsDb
        .selectFrom('jobs')
        .select('key')
        .where('queue', '=', LAYER_QUEUE)
        .where('key', 'in', missing)
        .where('state', 'in', ['queued', 'running'])
        .execute();
      const remaining = deadline - Date.now();
      if (live.length === 0 || remaining <= 0) return missing;
      // Woken by this process's worker; other processes' jobs are seen by polling.
      await new Promise<void>((resolve) => {
        const wake = (): void => finish();
        const timer = setTimeout(() => finish(), Math.min(250, remaining));
        const finish = (): void => {
          clearTimeout(timer);
          for (const k of missing) this.done.off(k, wake);
          resolve();
        };
        for (const k of missing) this.done.once(k, wake);
      });
    }
  }
}
