import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { PortFeed, streamToPort } from '../analysis/engine/port-stream.js';
import type { LayerFacts } from '../analysis/types.js';
import type { PlacedFile } from '../scan/cache.js';
import type { StoredEntry } from './layer-store.js';
import type { LayerTask, WarmUpTask } from './layer-worker.js';

export type LayerAnalysis = { facts: LayerFacts; entries: StoredEntry[] };
/**
 * An analysis of teed upload bytes as JSON (what the store keeps; a string crosses threads as one
 * copy, where thousands of objects are cloned one by one), with the digest and size of every byte
 * it was given.
 */
export interface StreamedAnalysis {
  factsJson: string;
  entriesJson: string;
  /** The final filesystem of an image of this layer alone (PlacedFile[]), when it could be built during the walk. */
  viewJson?: string;
  seen: { digest: string; size: number };
}

export function streamedResult(analysis: LayerAnalysis & { files?: PlacedFile[] }, seen: StreamedAnalysis['seen']): StreamedAnalysis {
  const result: StreamedAnalysis = { factsJson: JSON.stringify(analysis.facts), entriesJson: JSON.stringify(analysis.entries), seen };
  if (analysis.files) result.viewJson = JSON.stringify(analysis.files);
  return result;
}

/** The digest and size of every byte a streamed analysis was given, once its sender ended. */
export class SeenBytes {
  private readonly hash = createHash('sha256');
  private size = 0;
  private settle: { end: () => void; fail: (err: Error) => void } = { end: () => undefined, fail: () => undefined };
  private readonly ended = new Promise<void>((end, fail) => (this.settle = { end, fail }));

  constructor() {
    this.ended.catch(() => undefined);
  }

  update(chunk: Uint8Array): void {
    this.hash.update(chunk);
    this.size += chunk.length;
  }

  end(): void {
    this.settle.end();
  }

  fail(err: Error): void {
    this.settle.fail(err);
  }

  /** Rejects when the sender failed instead of ending. */
  async seen(): Promise<StreamedAnalysis['seen']> {
    await this.ended;
    return { digest: `sha256:${this.hash.digest('hex')}`, size: this.size };
  }
}

/** A layer analysis fed chunk by chunk while its upload streams in (its digest is not known yet). */
export interface StreamingAnalysis {
  write(chunk: Uint8Array): void;
  end(): void;
  /** Gives up: the result rejects and the analysis stops. */
  abort(reason: string): void;
  /** Bytes written that the analysis has not consumed yet. */
  readonly lagBytes: number;
  /** Called whenever the lag shrinks. */
  onProgress(fn: () => void): void;
  readonly result: Promise<StreamedAnalysis>;
}

/** The compiled worker beside this module (dist/), or undefined when running from sources. */
export function defaultLayerWorker(): string | undefined {
  const url = new URL('./layer-worker.js', import.meta.url);
  return url.protocol === 'file:' && existsSync(fileURLToPath(url)) ? url.href : undefined;
}

/** Layer analysis for the gates in worker threads; the blob is read on the calling thread and streamed over. */
export class LayerPool {
  private readonly piscina: Piscina<LayerTask | WarmUpTask, LayerAnalysis | StreamedAnalysis | undefined>;

  constructor(workerFile: string, maxThreads = Math.max(1, availableParallelism() - 1), minThreads = 0) {
    this.piscina = new Piscina<LayerTask | WarmUpTask, LayerAnalysis | StreamedAnalysis | undefined>({ filename: workerFile, maxThreads, minThreads, idleTimeout: 30_000 });
  }

  async analyse(digest: string, stream: Readable): Promise<LayerAnalysis> {
    const feed = streamToPort(stream);
    try {
      // A task without `streamed` answers with the analysis itself.
      const result = (await this.piscina.run({ port: feed.port, digest }, { transferList: [feed.port] })) as LayerAnalysis;
      const streamError = feed.error();
      if (streamError) throw streamError;
      return result;
    } catch (err) {
      throw feed.error() ?? err;
    } finally {
      feed.close();
    }
  }

  /** Starts a streamed analysis in a worker thread; `placeholder` stands for the digest in its facts. */
  stream(placeholder: string): StreamingAnalysis {
    const feed = new PortFeed();
    const run = this.piscina.run({ port: feed.port, digest: placeholder, streamed: true }, { transferList: [feed.port] }) as Promise<StreamedAnalysis>;
    const result = run.finally(() => feed.close());
    result.catch(() => undefined);
    return {
      write: (chunk) => feed.write(chunk),
      end: () => feed.end(),
      abort: (reason) => feed.abort(reason),
      get lagBytes() {
        return feed.lagBytes;
      },
      onProgress: (fn) => feed.onProgress(fn),
      result,
    };
  }

  /** Warms `threads` threads up with a synthetic layer each (run at once, so each goes to its own thread), so the first real analyses do not run cold. */
  async warmUp(threads = 1): Promise<void> {
    await Promise.all(Array.from({ length: threads }, () => this.piscina.run({ warmUp: true })));
  }

  async close(): Promise<void> {
    await this.piscina.destroy();
  }
}

/**
 * A streamed analysis on the calling thread (no compiled worker: tests, running from sources);
 * the same contract as the pool's, the bytes hashed here.
 */
export function streamInThread(
  analyse: (digest: string, stream: Readable, opts: { view: boolean }) => Promise<LayerAnalysis & { files?: PlacedFile[] }>,
  placeholder: string,
): StreamingAnalysis {
  const seen = new SeenBytes();
  let progress: (() => void) | undefined;
  const input = new Readable({ read: () => progress?.() });
  input.once('close', () => progress?.());
  const result = (async (): Promise<StreamedAnalysis> => {
    try {
      const analysis = await analyse(placeholder, input, { view: true });
      input.destroy();
      return streamedResult(analysis, await seen.seen());
    } finally {
      input.destroy();
    }
  })();
  result.catch(() => undefined);
  return {
    write(chunk) {
      seen.update(chunk);
      if (!input.destroyed) input.push(Buffer.from(chunk));
    },
    end() {
      seen.end();
      if (!input.destroyed) input.push(null);
    },
    abort(reason) {
      const err = new Error(reason);
      seen.fail(err);
      input.destroy(err);
    },
    get lagBytes() {
      return input.destroyed ? 0 : input.readableLength;
    },
    onProgress(fn) {
      progress = fn;
    },
    result,
  };
}
