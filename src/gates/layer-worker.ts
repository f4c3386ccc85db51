import type { MessagePort } from 'node:worker_threads';
import type { LayerFacts } from '../analysis/types.js';
import { portReadable } from '../analysis/engine/worker.js';
import { analyseLayerBlob } from './analyse-layer.js';
import type { StoredEntry } from './layer-store.js';

/**
 * Worker-thread entry of the gates' layer pool (piscina): the blob's bytes arrive over a
 * MessagePort with the engine's credit-based flow control, and the whole walk (decompression,
 * tar, analyzers, secret rules, entry recording) runs here, off the registry's event loop.
 */
export interface LayerTask {
  port: MessagePort;
  digest: string;
}

export default async function runLayerTask(task: LayerTask): Promise<{ facts: LayerFacts; entries: StoredEntry[] }> {
  const stream = portReadable(task.port);
  try {
    return await analyseLayerBlob(task.digest, stream);
  } finally {
    stream.destroy();
    task.port.close();
  }
}
