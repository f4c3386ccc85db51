import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks);
}

export function sha256(data: Uint8Array): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

export function sha512(data: Uint8Array): string {
  return `sha512:${createHash('sha512').update(data).digest('hex')}`;
}

/** A stream of the given buffers, in chunks as given. */
export function streamOf(...parts: Uint8Array[]): Readable {
  return Readable.from(parts.map((p) => Buffer.from(p)), { objectMode: false });
}

/** A stream that yields `good` and then fails, like a client connection dropped mid-chunk. */
export function failingStream(good: Uint8Array, message = 'connection reset by test'): Readable {
  let sent = false;
  return new Readable({
    read() {
      if (!sent) {
        sent = true;
        this.push(Buffer.from(good));
      } else {
        setImmediate(() => this.destroy(new Error(message)));
      }
    },
  });
}

/**
 * `size` random bytes as a stream of `chunkSize` chunks, never held whole in memory; `digest()`
 * gives the sha256 of what was produced once the stream has ended.
 */
export function randomStream(size: number, chunkSize = 1024 * 1024): { stream: Readable; digest(): string } {
  const hash = createHash('sha256');
  let left = size;
  let result: string | undefined;
  const stream = new Readable({
    read() {
      if (left === 0) {
        result = `sha256:${hash.digest('hex')}`;
        this.push(null);
        return;
      }
      const n = Math.min(chunkSize, left);
      const chunk = randomBytes(n);
      hash.update(chunk);
      left -= n;
      this.push(chunk);
    },
  });
  return {
    stream,
    digest() {
      if (result === undefined) throw new Error('randomStream not fully consumed');
      return result;
    },
  };
}

/** sha256 of a stream, consumed chunk by chunk. */
export async function hashStream(stream: Readable): Promise<{ digest: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of stream) {
    const buf = chunk as Buffer;
    hash.update(buf);
    size += buf.length;
  }
  return { digest: `sha256:${hash.digest('hex')}`, size };
}
