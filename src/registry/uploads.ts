import { randomUUID } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Digester, parseDigest } from '../image/digest.js';
import type { BlobStore, ByteRange } from '../storage/blobstore.js';
import { UploadNotFoundError } from '../storage/blobstore.js';
import type { MetadataStore } from '../metadata/store.js';
import { RegistryError } from './errors.js';

/**
 * Sees an upload's bytes as they are appended, without changing them (the gates analyse layers
 * while they stream in). Called in order for each upload; a tap must not throw.
 */
export interface UploadTap {
  /**
   * `chunk` is being appended at `offset`. A returned promise holds the body stream until it
   * settles (back-pressure); it must never reject.
   */
  data(uploadId: string, offset: number, chunk: Buffer): Promise<void> | undefined;
  /** The upload's `size` bytes became the blob `digest`, verified (before the commit hooks run). */
  committed(uploadId: string, digest: string, size: number): void;
  /** The upload ended without a blob, or an append failed (what is stored may differ from what was seen). */
  abandoned(uploadId: string): void;
}

/**
 * Blob upload sessions. The running sha256 of each upload is kept in memory so the digest is
 * verified while streaming; when that state is gone (restart, another process took a chunk)
 * the bytes are re-read from storage at commit.
 */
export class Uploads {
  private readonly hashes = new Map<string, Digester>();
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(
    private readonly blobs: BlobStore,
    private readonly meta: MetadataStore,
    private readonly onCommitted: (repositoryId: number, digest: string, size: number) => Promise<void>,
    /** Runs after the digest is verified, before the bytes become the blob (quota, GC claim). */
    private readonly beforeCommit: (repositoryId: number, digest: string, size: number) => Promise<void> = async () => undefined,
    private readonly tap?: UploadTap,
  ) {}

  async start(repositoryId: number): Promise<string> {
    const id = randomUUID();
    await this.blobs.startUpload(id);
    await this.meta.createUpload({ id, repositoryId, startedAt: new Date() });
    this.hashes.set(id, new Digester('sha256'));
    return id;
  }

  /** Size so far, or BLOB_UPLOAD_UNKNOWN when the upload does not exist in this repository. */
  async status(repositoryId: number, id: string): Promise<number> {
    await this.requireUpload(repositoryId, id);
    const size = await this.blobs.uploadSize(id);
    if (size === undefined) throw new RegistryError('BLOB_UPLOAD_UNKNOWN');
    return size;
  }

  /** Appends a chunk. With a Content-Range, its start must be the current size (else 416). */
  async append(repositoryId: number, id: string, body: Readable, range?: ByteRange): Promise<number> {
    await this.requireUpload(repositoryId, id);
    return this.serialized(id, async () => {
      const size = await this.blobs.uploadSize(id);
      if (size === undefined) throw new RegistryError('BLOB_UPLOAD_UNKNOWN');
      if (range && range.start !== size) {
        throw new RegistryError('RANGE_INVALID', `chunk starts at ${range.start}, upload holds ${size} bytes`, undefined, {
          headers: rangeHeaders(size),
        });
      }
      const newSize = await this.appendHashed(id, body, size);
      if (range && newSize - size !== range.end - range.start + 1) {
        // The client announced a different chunk length than it sent; the bytes are kept but
        // the hash state may not describe them any more.
        this.hashes.delete(id);
        throw new RegistryError('SIZE_INVALID', `Content-Range announced ${range.end - range.start + 1} bytes, got ${newSize - size}`);
      }
      await this.meta.touchUpload(id, new Date());
      return newSize;
    });
  }

  /** Finishes an upload (optionally with a last chunk) and commits it as `digest`. */
  async complete(repositoryId: number, id: string, digest: string, body?: Readable): Promise<number> {
    const parsed = parseDigest(digest);
    if (!parsed) throw new RegistryError('DIGEST_INVALID', `invalid digest ${digest}`);
    await this.requireUpload(repositoryId, id);
    return this.serialized(id, async () => {
      try {
        return await this.commit(repositoryId, id, digest, parsed.algorithm, body);
      } catch (err) {
        this.tapAbandoned(id);
        throw err;
      }
    });
  }

  private async commit(repositoryId: number, id: string, digest: string, algorithm: 'sha256' | 'sha512', body?: Readable): Promise<number> {
    let size = await this.blobs.uploadSize(id);
    if (size === undefined) throw new RegistryError('BLOB_UPLOAD_UNKNOWN');
    if (body) size = await this.appendHashed(id, body, size);
    let actual: string;
    const running = this.hashes.get(id);
    if (running && algorithm === 'sha256' && running.size === size) actual = running.digest();
    else actual = await this.rehash(id, algorithm);
    if (actual !== digest) {
      await this.discard(id);
      throw new RegistryError('DIGEST_INVALID', `digest mismatch: content is ${actual}, client said ${digest}`);
    }
    try {
      await this.beforeCommit(repositoryId, digest, size);
    } catch (err) {
      // Refused (quota) or GC held the digest too long: the bytes are of no further use.
      await this.discard(id);
      throw err;
    }
    await this.blobs.commitUpload(id, digest);
    this.hashes.delete(id);
    this.tapCommitted(id, digest, size);
    await this.meta.deleteUpload(id);
    await this.onCommitted(repositoryId, digest, size);
    return size;
  }

  async cancel(repositoryId: number, id: string): Promise<void> {
    await this.requireUpload(repositoryId, id);
    await this.discard(id);
  }

  /** Removes uploads untouched since `before` (abandoned by their clients). */
  async expire(before: Date): Promise<number> {
    const stale = await this.meta.staleUploads(before);
    for (const u of stale) await this.discard(u.id);
    return stale.length;
  }

  private async discard(id: string): Promise<void> {
    this.hashes.delete(id);
    this.tapAbandoned(id);
    await this.blobs.cancelUpload(id);
    await this.meta.deleteUpload(id);
  }

  private async requireUpload(repositoryId: number, id: string): Promise<void> {
    const row = /^[0-9a-f-]{36}$/.test(id) ? await this.meta.getUpload(id) : undefined;
    if (!row || row.repositoryId !== repositoryId) throw new RegistryError('BLOB_UPLOAD_UNKNOWN');
  }

  private async appendHashed(id: string, body: Readable, sizeBefore: number): Promise<number> {
    const digester = this.hashes.get(id);
    const tracking = digester !== undefined && digester.size === sizeBefore;
    if (!tracking) this.hashes.delete(id);
    const observe = this.tapData(id, sizeBefore);
    const tap = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        if (tracking) digester.update(chunk);
        const wait = observe(chunk);
        if (wait) void wait.then(() => cb(null, chunk));
        else cb(null, chunk);
      },
    });
    try {
      const appended = this.blobs.appendUpload(id, tap);
      // A storage failure must also stop reading the request body, or the pipeline would stall.
      appended.catch((err: unknown) => tap.destroy(err instanceof Error ? err : new Error(String(err))));
      const [size] = await Promise.all([appended, pipeline(body, tap)]);
      if (tracking && digester.size !== size) this.hashes.delete(id);
      return size;
    } catch (err) {
      this.hashes.delete(id);
      this.tapAbandoned(id);
      if (err instanceof UploadNotFoundError) throw new RegistryError('BLOB_UPLOAD_UNKNOWN');
      throw err;
    }
  }

  /** Hands each chunk of an append to the tap with its offset; a failing tap is ignored from then on. */
  private tapData(id: string, sizeBefore: number): (chunk: Buffer) => Promise<void> | undefined {
    const tap = this.tap;
    let offset = sizeBefore;
    let broken = tap === undefined;
    return (chunk) => {
      const at = offset;
      offset += chunk.length;
      if (broken) return undefined;
      try {
        return tap!.data(id, at, chunk);
      } catch {
        broken = true;
        return undefined;
      }
    };
  }

  private tapAbandoned(id: string): void {
    this.tell((tap) => tap.abandoned(id));
  }

  private tapCommitted(id: string, digest: string, size: number): void {
    this.tell((tap) => tap.committed(id, digest, size));
  }

  private tell(call: (tap: UploadTap) => void): void {
    try {
      if (this.tap) call(this.tap);
    } catch {
      // An observer's failure is never the upload's.
    }
  }

  private async rehash(id: string, algorithm: 'sha256' | 'sha512'): Promise<string> {
    const d = new Digester(algorithm);
    const stream = await this.blobs.readUpload(id);
    for await (const chunk of stream) d.update(chunk as Buffer);
    return d.digest();
  }

  private async serialized<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(id) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.locks.set(id, tail);
    try {
      return await run;
    } finally {
      if (this.locks.get(id) === tail) this.locks.delete(id);
    }
  }
}

/** Range/Location-independent headers that describe an upload's progress. */
export function rangeHeaders(size: number): Record<string, string> {
  return { Range: `0-${Math.max(0, size - 1)}` };
}
