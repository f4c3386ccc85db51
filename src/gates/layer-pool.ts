import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { streamToPort } from '../analysis/engine/port-stream.js';
import type { LayerFacts } from '../analysis/types.js';
import type { StoredEntry } from './layer-store.js';
import type { LayerTask } from './layer-worker.js';

export type LayerAnalysis = { facts: LayerFacts; entries: StoredEntry[] };

/** Chunks in flight per layer before the reader waits for the worker (as the engine's pool). */

/** The compiled worker beside this module (dist/), or undefined when running from sources. */
export function defaultLayerWorker(): string | undefined {
  const url = new URL('./layer-worker.js', import.meta.url);
  return url.protocol === 'file:' && existsSync(fileURLToPath(url)) ? url.href : undefined;
}

/** Layer analysis for the gates in worker threads; the blob is read on the calling thread and streamed over. */
export class LayerPool {
  private readonly piscina: Piscina<LayerTask, LayerAnalysis>;

  constructor(workerFile: string, maxThreads = Math.max(1, availableParallelism() - 1)) {
    this.piscina = new Piscina<LayerTask, LayerAnalysis>({ filename: workerFile, maxThreads, minThreads: 0, idleTimeout: 30_000 });
  }

  async analyse(digest: string, stream: Readable): Promise<LayerAnalysis> {
    const feed = streamToPort(stream);
    try {
      const result = await this.piscina.run({ port: feed.port, digest }, { transferList: [feed.port] });
      const streamError = feed.error();
      if (streamError) throw streamError;
      return result;
    } catch (err) {
      throw feed.error() ?? err;
    } finally {
      feed.close();
    }
  }

  async close(): Promise<void> {
    await this.piscina.destroy();
  }
}
