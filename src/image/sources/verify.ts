import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { Digester, parseDigest } from '../digest.js';
import { BlobDigestMismatchError, SourceError } from './types.js';

/**
 * Passes bytes through while hashing them; fails at the end when they do not hash to `digest`
 * (and early when more than `size` bytes arrive), so a consumer never gets a clean end of a
 * tampered blob.
 */
export class VerifyDigestStream extends Transform {
  private readonly digester: Digester;

  constructor(
    private readonly expected: string,
    private readonly size?: number,
  ) {
    super();
    const parsed = parseDigest(expected);
    if (!parsed) throw new SourceError(`invalid digest ${expected}`);
    this.digester = new Digester(parsed.algorithm);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.digester.update(chunk);
    if (this.size !== undefined && this.digester.size > this.size) {
      cb(new SourceError(`blob ${this.expected} is larger than its descriptor size ${this.size}`));
      return;
    }
    cb(null, chunk);
  }

  override _flush(cb: TransformCallback): void {
    const actual = this.digester.digest();
    if (actual !== this.expected) cb(new BlobDigestMismatchError(this.expected, actual));
    else if (this.size !== undefined && this.digester.size !== this.size) {
      cb(new SourceError(`blob ${this.expected} has ${this.digester.size} bytes, its descriptor says ${this.size}`));
    } else cb();
  }
}

/** Pipes `stream` through a verifier; errors of either side surface on the returned stream. */
export function verified(stream: Readable, digest: string, size?: number): Readable {
  const v = new VerifyDigestStream(digest, size);
  stream.on('error', (err) => v.destroy(err));
  v.on('close', () => {
    if (!stream.destroyed) stream.destroy();
  });
  return stream.pipe(v);
}

/** Reads a whole (small) stream, refusing more than `max` bytes. */
export async function readAllBounded(stream: Readable, max: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const chunk of stream) {
    const buf = chunk as Buffer;
    n += buf.length;
    if (n > max) {
      stream.destroy();
      throw new SourceError(`${what} is larger than ${max} bytes`);
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}
