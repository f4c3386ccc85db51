import { Readable } from 'node:stream';
import type { MessagePort } from 'node:worker_threads';
import type { LayerLimits } from '../../image/layers/index.js';
import type { Analyzer } from '../analyzer.js';
import { ALL_ANALYZERS, ANALYZERS } from '../analyzers/index.js';
import type { LayerFacts } from '../types.js';
import { analyzeLayer } from './layer.js';
import type { FileVisitor } from './types.js';

/**
 * Worker-thread entry of the analysis pool (piscina). The layer's bytes arrive over a
 * MessagePort with credit-based flow control; decompression, tar walking and the analyzers all
 * run here, off the caller's event loop.
 */

export type AnalyzerSet = 'image' | 'all';

export interface VisitorModule {
  /** Module URL or absolute path that exports a factory. */
  specifier: string;
  exportName: string;
  options?: unknown;
}

export interface WorkerTask {
  port: MessagePort;
  layerDigest: string;
  mediaType?: string;
  layerIndex?: number;
  limits?: Partial<LayerLimits>;
  analyzerSet: AnalyzerSet;
  visitorModules: VisitorModule[];
}

export type PortMessage = { chunk: ArrayBuffer } | { end: true } | { error: string };

export function analyzerSet(set: AnalyzerSet): Analyzer[] {
  return set === 'all' ? ALL_ANALYZERS : ANALYZERS;
}

export async function loadVisitor(m: VisitorModule): Promise<FileVisitor> {
  const mod = (await import(m.specifier)) as Record<string, unknown>;
  const factory = mod[m.exportName];
  if (typeof factory !== 'function') throw new Error(`${m.specifier} has no visitor factory ${m.exportName}`);
  return (factory as (options: unknown) => FileVisitor)(m.options);
}

export interface PortReadableOptions {
  /** Sees every chunk as it arrives, whether or not the stream's reader still wants it. */
  onChunk?(chunk: Buffer): void;
  /** The sender sent all its bytes. */
  onEnd?(): void;
  /** The sender failed, or the channel closed before the end. */
  onFail?(err: Error): void;
}

/**
 * A Readable fed by port messages; each consumed chunk returns one credit to the sender. Once the
 * stream is destroyed (its reader stopped early), chunks are acknowledged on arrival, so a sender
 * that goes on writing is never held up by a reader that is gone.
 */
export function portReadable(port: MessagePort, opts: PortReadableOptions = {}): Readable {
  let owed = 0;
  let finished = false;
  const ack = (): void => {
    while (owed > 0) {
      owed--;
      port.postMessage('ack');
    }
  };
  const stream = new Readable({ read: ack });
  stream.once('close', ack);
  const fail = (err: Error): void => {
    if (finished) return;
    finished = true;
    opts.onFail?.(err);
    if (!stream.destroyed) stream.destroy(err);
  };
  port.on('message', (msg: PortMessage) => {
    if ('chunk' in msg) {
      const chunk = Buffer.from(msg.chunk);
      opts.onChunk?.(chunk);
      if (stream.destroyed || stream.push(chunk)) port.postMessage('ack');
      else owed++;
    } else if ('end' in msg) {
      finished = true;
      opts.onEnd?.();
      if (!stream.destroyed) stream.push(null);
    } else fail(new Error(msg.error));
  });
  port.once('close', () => fail(new Error('the sender closed the channel before the end of the data')));
  return stream;
}

export default async function runTask(task: WorkerTask): Promise<LayerFacts> {
  const visitors = await Promise.all(task.visitorModules.map(loadVisitor));
  const stream = portReadable(task.port);
  try {
    return await analyzeLayer(stream, {
      layerDigest: task.layerDigest,
      analyzers: analyzerSet(task.analyzerSet),
      visitors,
      ...(task.mediaType ? { mediaType: task.mediaType } : {}),
      ...(task.layerIndex !== undefined ? { layerIndex: task.layerIndex } : {}),
      ...(task.limits ? { limits: task.limits } : {}),
    });
  } finally {
    stream.destroy();
    task.port.close();
  }
}
