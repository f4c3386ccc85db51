import { MessageChannel, type MessagePort } from 'node:worker_threads';
import type { Readable } from 'node:stream';
import type { PortMessage } from './worker.js';

/** Chunks in flight to a worker before the stream pauses: back-pressure across threads. */
const CREDITS = 16;

/**
 * Feeds a stream to a worker thread through a MessagePort, chunk by chunk with credits (the worker
 * acknowledges each chunk). `port` goes to the worker in the task's transferList; `error()` is the
 * stream's own error, which the caller prefers over what the worker reports about it.
 */
export function streamToPort(stream: Readable): { port: MessagePort; error: () => Error | undefined; close: () => void } {
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
  return {
    port: port2,
    error: () => streamError,
    close: () => {
      port1.close();
      if (!stream.destroyed) stream.destroy();
    },
  };
}
