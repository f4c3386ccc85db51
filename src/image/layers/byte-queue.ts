import type { Readable } from 'node:stream';

const EMPTY = Buffer.alloc(0);

function asBuffer(chunk: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  return Buffer.from(String(chunk));
}

/**
 * The decompressed layer as a queue of chunks: filled by the stream's 'data' events, drained
 * synchronously by the tar walker (skipping costs no copy and no per-entry stream). The stream is
 * paused while more than `highWater` bytes wait, so memory stays bounded while decompression runs
 * ahead of the walker (on the zlib thread pool or in the zstd process).
 */
export class ByteQueue {
  /** Bytes waiting. */
  buffered = 0;
  /** The stream ended: no more bytes will come. */
  ended = false;
  /**
   * The first failure (stream error, a bound). The bytes that came before it stay readable, so
   * the walker stops where the failure happened, however far decompression had run ahead.
   */
  failure: Error | undefined;
  private readonly chunks: Buffer[] = [];
  /** Read position in chunks[0]. */
  private offset = 0;
  private paused = false;
  private waiter: (() => void) | undefined;

  /** `onChunk` sees every chunk's size as it arrives and may throw to stop the layer (limits). */
  constructor(
    private readonly stream: Readable,
    private readonly highWater: number,
    private readonly onChunk: ((n: number) => void) | undefined,
    private readonly onFailure: (err: Error) => void,
  ) {
    stream.on('data', (chunk: unknown) => this.push(asBuffer(chunk)));
    stream.on('end', () => {
      this.ended = true;
      this.wake();
    });
  }

  private push(chunk: Buffer): void {
    if (this.failure || chunk.length === 0) return;
    try {
      this.onChunk?.(chunk.length);
    } catch (err) {
      this.fail(err as Error);
      return;
    }
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    if (this.buffered >= this.highWater && !this.paused) {
      this.paused = true;
      this.stream.pause();
    }
    this.wake();
  }

  fail(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    this.onFailure(err);
    this.wake();
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }

  private consumed(): void {
    if (this.paused && this.buffered < this.highWater) {
      this.paused = false;
      this.stream.resume();
    }
  }

  /** Resolves when bytes arrive, the stream ends or a failure is recorded. */
  wait(): Promise<void> {
    if (this.failure || this.ended) return Promise.resolve();
    // The caller needs more than is waiting (a long PAX header may exceed highWater): let it come.
    if (this.paused) {
      this.paused = false;
      this.stream.resume();
    }
    return new Promise((resolve) => (this.waiter = resolve));
  }

  /** Drops up to `n` waiting bytes; returns how many. */
  skip(n: number): number {
    return this.take(n);
  }

  /** Moves up to `n` waiting bytes into `out` (views of the chunks, no copy), or drops them without `out`; returns how many. */
  take(n: number, out?: Buffer[]): number {
    let done = 0;
    while (done < n && this.buffered > 0) {
      const head = this.chunks[0]!;
      const avail = head.length - this.offset;
      if (n - done < avail) {
        out?.push(head.subarray(this.offset, this.offset + n - done));
        this.offset += n - done;
        this.buffered -= n - done;
        done = n;
      } else {
        out?.push(this.offset === 0 ? head : head.subarray(this.offset));
        this.chunks.shift();
        this.offset = 0;
        this.buffered -= avail;
        done += avail;
      }
    }
    this.consumed();
    return done;
  }

  /** The next `n` bytes as one buffer (a view when they sit in one chunk); needs `buffered >= n`. */
  read(n: number): Buffer {
    if (n === 0) return EMPTY;
    const head = this.chunks[0];
    if (head && head.length - this.offset >= n) {
      const view = head.subarray(this.offset, this.offset + n);
      this.skip(n);
      return view;
    }
    const parts: Buffer[] = [];
    this.take(n, parts);
    return Buffer.concat(parts);
  }
}
