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
import type { CommittedStream } from './layer-streams.js';
import type { DbLayerStore } from './layer-store.js';
import { looksLikeLayer, SNIFF_BYTES } from './sniff.js';

export const LAYER_QUEUE = 'gates.layer';
/** How long the durable stand-in of a streamed analysis waits before it runs (a no-op once the facts are stored). */
const STREAMED_MARK_DELAY_MS = 60_000;

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

/** How each layer's facts came to be stored by this process (what tests check). */
export interface LayerAnalysisCounts {
  /** Analysed while the upload streamed in. */
  streamed: number;
  /** Analysed by a job that read the stored blob. */
  queued: number;
}

/**
 * Layer analysis as blobs arrive: analyses that ran while the upload streamed in are adopted at
 * commit; every other new layer blob gets a dedupe-keyed job in the shared queue (the durable
 * path, and the one other processes share), run by a bounded worker. The facts land in the
 * database layer store that the push gate reads.
 */
export class LayerJobs {
  readonly counts: LayerAnalysisCounts = { streamed: 0, queued: 0 };
  private readonly worker: Worker<LayerJob>;
  private readonly done = new EventEmitter();
  /** Layers whose streamed analysis is being finished in this process, by cache key. */
  private readonly inflight = new Map<string, { analysis: CommittedStream['analysis']; run: Promise<void> }>();
  private readonly logger: Logger | undefined;
  private readonly markStreamed: boolean;
  private readonly rememberView: ((key: string, viewJson: string) => void) | undefined;
  private readonly jobsDb: Kysely<JobTables>;
  private readonly analyse: (digest: string, stream: Readable) => Promise<LayerAnalysis>;

  constructor(
    private readonly queue: JobQueue,
    private readonly store: DbLayerStore,
    private readonly blobs: BlobStore,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    db: Kysely<any>,
    opts: {
      concurrency: number;
      logger?: Logger;
      analyse?: (digest: string, stream: Readable) => Promise<LayerAnalysis>;
      /**
       * Also queue a delayed job for each layer being finished from its upload (several processes
       * share the queue): another process's manifest PUT then waits for it instead of reading the
       * layer itself, and the layer is still analysed if this process dies first.
       */
      markStreamed?: boolean;
      /** Takes the single-layer final filesystem a streamed analysis built on the way (JSON of PlacedFile[]). */
      rememberView?: (key: string, viewJson: string) => void;
    },
  ) {
    this.analyse = opts.analyse ?? analyseLayerBlob;
    this.logger = opts.logger;
    this.markStreamed = opts.markStreamed ?? false;
    this.rememberView = opts.rememberView;
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

  /** Stops: analyses still being finished are given up and queued instead (the queue is durable). */
  async stop(): Promise<void> {
    const stopping = this.worker.stop();
    const running = [...this.inflight.values()];
    for (const r of running) r.analysis.abort('server stopping');
    await Promise.all(running.map((r) => r.run));
    await stopping;
  }

  /**
   * A blob became visible: queue it for analysis when it is a layer not analysed yet and not
   * being analysed from its upload. `isLayer`, when known from the upload's bytes, spares reading
   * the blob's head. True when queued.
   */
  async blobCommitted(digest: string, size: number, isLayer?: boolean): Promise<boolean> {
    const key = gateLayerKey(digest);
    if (this.inflight.has(key)) {
      if (this.markStreamed) await this.queue.enqueue<LayerJob>(LAYER_QUEUE, { digest }, { key, maxAttempts: 3, delayMs: STREAMED_MARK_DELAY_MS });
      return false;
    }
    if (isLayer === false) return false;
    if (await this.store.complete(key)) return false;
    if (isLayer === undefined && !looksLikeLayer(await readHead(this.blobs, digest, size))) return false;
    await this.ensure(digest);
    return true;
  }

  /**
   * An upload committed as `digest` with its analysis fed to the end: stores the facts when the
   * analysis saw exactly these bytes, else (or when it fails) queues a job as for any other blob.
   */
  adopt(digest: string, size: number, { placeholder, analysis }: CommittedStream): void {
    const key = gateLayerKey(digest);
    if (this.inflight.has(key)) {
      analysis.abort('the same layer is already being analysed');
      return;
    }
    const run = (async () => {
      try {
        if (await this.store.complete(key)) {
          analysis.abort('layer already analysed');
          return;
        }
        const result = await analysis.result;
        if (result.seen.digest !== digest || result.seen.size !== size) {
          throw new Error(`the analysis saw ${result.seen.digest} (${result.seen.size} bytes), not ${digest} (${size} bytes)`);
        }
        // The walk ran before the digest was known: its stand-in becomes the digest everywhere in the facts.
        await this.store.putJson(key, digest, result.factsJson.replaceAll(placeholder, digest), result.entriesJson);
        if (result.viewJson) this.rememberView?.(key, result.viewJson);
        this.counts.streamed++;
      } catch (err) {
        this.logger?.info({ err, digest }, 'layer analysis during upload did not complete; queued instead');
        await this.ensure(digest).catch((e: unknown) => this.logger?.warn({ err: e, digest }, 'could not queue layer analysis'));
      } finally {
        this.inflight.delete(key);
        this.done.emit(key);
      }
    })();
    this.inflight.set(key, { analysis, run });
  }

  /** Queues a known layer whose facts or entries are missing (deduplicated while queued or running). */
  async ensure(digest: string): Promise<void> {
    const key = gateLayerKey(digest);
    const { created } = await this.queue.enqueue<LayerJob>(LAYER_QUEUE, { digest }, { key, maxAttempts: 3 });
    // Already queued, perhaps as the delayed stand-in of a streamed analysis: it is wanted now.
    if (!created) await this.queue.expedite(LAYER_QUEUE, key);
    this.worker.notify();
  }

  private async run(job: LayerJob): Promise<{ packages: number; entries: number }> {
    const key = gateLayerKey(job.digest);
    try {
      if (await this.store.complete(key)) return { packages: -1, entries: -1 };
      const { facts, entries } = await this.analyse(job.digest, await this.blobs.read(job.digest));
      await this.store.put(key, facts, entries);
      this.counts.queued++;
      return { packages: facts.packages.length, entries: entries.length };
    } finally {
      this.done.emit(key);
    }
  }

  /**
   * Waits until every key is in the store, or no analysis of the missing ones is running here nor
   * queued or running in the queue any more, or the deadline passes. Returns the keys still missing.
   */
  async waitFor(keys: readonly string[], timeoutMs: number): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    // Listening from the start, so an analysis that ends during a query is not missed.
    let woken = false;
    let resume: (() => void) | undefined;
    const listener = (): void => {
      woken = true;
      resume?.();
    };
    for (const k of keys) this.done.on(k, listener);
    try {
      for (;;) {
        woken = false;
        const present = await this.store.present(keys);
        const missing = keys.filter((k) => !present.has(k));
        if (missing.length === 0) return [];
        const live = missing.some((k) => this.inflight.has(k)) || (await this.queued(missing));
        const remaining = deadline - Date.now();
        if (!live || remaining <= 0) {
          // An analysis (here or in another process) may have stored its layer between the two queries.
          const late = await this.store.present(missing);
          return missing.filter((k) => !late.has(k));
        }
        if (woken) continue;
        // Woken by this process's analyses; other processes' jobs are seen by polling.
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => resume?.(), Math.min(250, remaining));
          resume = () => {
            clearTimeout(timer);
            resume = undefined;
            resolve();
          };
        });
      }
    } finally {
      for (const k of keys) this.done.off(k, listener);
    }
  }

  /** Whether a job for any of the keys is queued or running (in any process). */
  private async queued(keys: readonly string[]): Promise<boolean> {
    const row = await this.jobsDb
      .selectFrom('jobs')
      .select('key')
      .where('queue', '=', LAYER_QUEUE)
      .where('key', 'in', [...keys])
      .where('state', 'in', ['queued', 'running'])
      .executeTakeFirst();
    return row !== undefined;
  }
}
