import type { MessagePort } from 'node:worker_threads';
import { portReadable } from '../analysis/engine/worker.js';
import { analyseLayerBlob } from './analyse-layer.js';
import { SeenBytes, streamedResult, type LayerAnalysis, type StreamedAnalysis } from './layer-pool.js';
import { warmUp } from './layer-warmup.js';

/**
 * Worker-thread entry of the gates' layer pool (piscina): the blob's bytes arrive over a
 * MessagePort with the engine's credit-based flow control, and the whole walk (decompression,
 * tar, analyzers, secret rules, entry recording) runs here, off the registry's event loop.
 */
export interface LayerTask {
  port: MessagePort;
  digest: string;
  /**
   * The bytes are an upload being teed (its digest is not known yet, `digest` is a stand-in):
   * also hash every byte that arrives, to the end, so the caller can tell whether the analysis
   * saw exactly the blob that was committed.
   */
  streamed?: boolean;
}

/** Warms the thread up (no port, no result). */
export interface WarmUpTask {
  warmUp: true;
}

export default async function runLayerTask(task: LayerTask | WarmUpTask): Promise<LayerAnalysis | StreamedAnalysis | undefined> {
  if ('warmUp' in task) {
    await warmUp();
    return undefined;
  }
  const seen = task.streamed ? new SeenBytes() : undefined;
  const stream = portReadable(task.port, seen ? { onChunk: (chunk) => seen.update(chunk), onEnd: () => seen.end(), onFail: (err) => seen.fail(err) } : {});
  try {
    const result = await analyseLayerBlob(task.digest, stream, { view: task.streamed === true });
    if (!seen) return result;
    // The walk may stop before the last byte (tar padding): the rest is only hashed.
    stream.destroy();
    return streamedResult(result, await seen.seen());
  } finally {
    stream.destroy();
    task.port.close();
  }
}
