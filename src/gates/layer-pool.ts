import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { PortMessage } from '../analysis/engine/worker.js';
import type { LayerFacts } from '../analysis/types.js';
import type { StoredEntry } from './layer-store.js';
import type { LayerTask } from './layer-worker.js';

export type LayerAnalysis = { facts: LayerFacts; entries: StoredEntry[] };

/** Chunks in flight per layer before the reader waits for the worker (as the engine's pool). */
const CREDITS = 16;

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
    const { port1, port2 } = new MessageChannel();
    let streamError: Error | undefined;
    let credits = CREDITS;
    port1.on('message', () => {
      credits++;
      if (credits > 0 && stream.isPaused()) stream.resume();
    });
    stream.on('data', (chunk: Buffer) => {
      // Copied into a buffer of our own: stream chunks may be views of a shared pool.
      const ab = new ArrayBuffer(chunk.length);
      new Uint8Array(ab).set(chunk);
      port1.postMessage({ chunk: ab } satisfies PortMessage, [ab]);
      if (--credits <= 0) stream.pause();
    });
    stream.once('end', () => port1.postMessage({ end: true } satisfies PortMessage));
    stream.once('error', (err) => {
      streamError = err;
      port1.postMessage({ error: err.message } satisfies PortMessage);
    });
    try {
      const result = await this.piscina.run({ port: port2, digest }, { transferList: [port2] });
      if (streamError) throw streamError;
      return result;
    } catch (err) {
      throw streamError ?? err;
    } finally {
      port1.close();
      if (!stream.destroyed) stream.destroy();
    }
  }

  async close(): Promise<void> {
    await this.piscina.destroy();
  }
}
