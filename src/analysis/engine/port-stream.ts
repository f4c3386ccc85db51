import { MessageChannel, type MessagePort } from 'node:worker_threads';
import type { Readable } from 'node:stream';
import type { PortMessage } from './worker.js';

/** Chunks in flight to a worker before the stream pauses: back-pressure across threads. */
const CREDITS = 16;

/** A chunk in a buffer of its own, transferable to another thread (stream chunks may be views of a shared pool). */
function ownCopy(chunk: Uint8Array): ArrayBuffer {
  const ab = new ArrayBuffer(chunk.length);
  new Uint8Array(ab).set(chunk);
  return ab;
}

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
    const ab = ownCopy(chunk);
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

/**
 * A push-fed sender to a worker thread, for bytes that arrive from elsewhere (an upload being
 * teed): every chunk is posted at once, and `lagBytes` counts what the worker has not consumed
 * yet, so the writer decides itself whether to wait (`onProgress` tells when the lag shrinks).
 */
export class PortFeed {
  /** The worker's end, to transfer with the task. */
  readonly port: MessagePort;
  private readonly local: MessagePort;
  private readonly inFlight: number[] = [];
  private lag = 0;
  private closed = false;
  private progress: (() => void) | undefined;

  constructor() {
    const { port1, port2 } = new MessageChannel();
    this.local = port1;
    this.port = port2;
    port1.on('message', () => {
      this.lag -= this.inFlight.shift() ?? 0;
      this.progress?.();
    });
  }

  get lagBytes(): number {
    return this.lag;
  }

  /** Called whenever the worker consumed a chunk. */
  onProgress(fn: () => void): void {
    this.progress = fn;
  }

  write(chunk: Uint8Array): void {
    if (this.closed) return;
    this.inFlight.push(chunk.length);
    this.lag += chunk.length;
    const ab = ownCopy(chunk);
    this.local.postMessage({ chunk: ab } satisfies PortMessage, [ab]);
  }

  end(): void {
    if (!this.closed) this.local.postMessage({ end: true } satisfies PortMessage);
  }

  /** Tells the worker the bytes will not come (its stream fails with `reason`) and stops listening. */
  abort(reason: string): void {
    if (this.closed) return;
    this.local.postMessage({ error: reason } satisfies PortMessage);
    this.close();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.lag = 0;
    this.inFlight.length = 0;
    this.local.close();
    this.progress?.();
  }
}
