import {
  AbortMultipartUploadCommand,
  DeleteObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import {
  BlobNotFoundError,
  RangeNotSatisfiableError,
  UploadExistsError,
  UploadNotFoundError,
  type BlobStore,
  type ByteRange,
  type UploadInfo,
} from './blobstore.js';
import { KeyedMutex } from './mutex.js';
import { assemble, MIN_PART_SIZE, type Segment } from './s3-assemble.js';
import { deleteKeys, getObject, httpStatus, isNotFound, listObjects, type Bucket } from './s3-objects.js';
import { blobName, checkUploadId, isBlobDigest, isUploadId } from './validate.js';

export interface S3BlobStoreOptions {
  bucket: string;
  region: string;
  /** e.g. http://127.0.0.1:8080 for Swift, MinIO or Ceph RGW; AWS when absent. */
  endpoint?: string;
  /** Key prefix inside the bucket, e.g. "portcullis/" (a missing trailing slash is added). */
  prefix?: string;
  /** Static credentials; the SDK's default chain (env, profile, instance role) when absent. */
  accessKeyId?: string;
  secretAccessKey?: string;
  /** Path-style addressing (default true: what most S3-compatible servers expect). */
  forcePathStyle?: boolean;
  /** Appends are stored as objects of at most this size (default 8 MiB, at least 5 MiB). */
  segmentSize?: number;
  /**
   * cleanup() removes abandoned multipart uploads and orphaned segments older than this (default
   * 1 hour, for other processes' work in progress); 0 removes all that this instance is not using.
   */
  staleAfterMs?: number;
  /** A ready client (tests, custom middleware); the connection options above are then ignored. */
  client?: S3Client;
}

const STARTED = 'startedat';
const SEGMENT_DIGITS = 16;

/**
 * Blobs in an S3 bucket:
 *
 *   PREFIX/blobs/<alg>/<hex>                    committed blobs
 *   PREFIX/uploads/<id>/startedat               marks a live upload (its LastModified is the start)
 *   PREFIX/uploads/<id>/data/<offset, 16 digits> one object per stored piece of the upload
 *
 * S3 objects cannot be appended to and multipart parts must be at least 5 MiB, so each append
 * is stored as segment objects of up to `segmentSize` bytes (bounded memory, any chunk size
 * works). commitUpload assembles the segments under the blob key, mostly by server-side copy;
 * PUT, copy and CompleteMultipartUpload are atomic, so a blob key never holds partial content.
 */
export class S3BlobStore implements BlobStore {
  readonly kind = 's3';
  private readonly bucket: Bucket;
  /** Normalised key prefix: '' or ending in '/'. */
  readonly prefix: string;
  private readonly segmentSize: number;
  private readonly staleAfterMs: number;
  private readonly ownsClient: boolean;
  private readonly activeMultipart = new Set<string>();
  private readonly locks = new KeyedMutex();

  constructor(options: S3BlobStoreOptions) {
    const client =
      options.client ??
      new S3Client({
        region: options.region,
        endpoint: options.endpoint,
        forcePathStyle: options.forcePathStyle ?? true,
        credentials:
          options.accessKeyId !== undefined && options.secretAccessKey !== undefined
            ? { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey }
            : undefined,
        // Flexible checksums (CRC32 trailers) are AWS-only; S3-compatible servers reject them.
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
      });
    this.ownsClient = options.client === undefined;
    this.bucket = { client, name: options.bucket };
    const prefix = (options.prefix ?? '').replace(/^\/+/, '');
    this.prefix = prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
    this.segmentSize = Math.max(MIN_PART_SIZE, options.segmentSize ?? 8 * 1024 * 1024);
    this.staleAfterMs = options.staleAfterMs ?? 60 * 60_000;
  }

  get client(): S3Client {
    return this.bucket.client;
  }

  blobKey(digest: string): string {
    const { algorithm, hex } = blobName(digest);
    return `${this.prefix}blobs/${algorithm}/${hex}`;
  }

  async stat(digest: string): Promise<number | undefined> {
    const key = this.blobKey(digest);
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket.name, Key: key }));
      return head.ContentLength ?? 0;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async read(digest: string, range?: ByteRange): Promise<Readable> {
    const key = this.blobKey(digest);
    if (range && !wellFormed(range)) {
      const size = await this.stat(digest);
      if (size === undefined) throw new BlobNotFoundError(digest);
      throw new RangeNotSatisfiableError(size);
    }
    try {
      const { body, contentRange } = await getObject(this.bucket, key, range && `bytes=${range.start}-${range.end}`);
      if (range) {
        // S3 clips an end past the object instead of refusing it; we refuse, like the filesystem.
        const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(contentRange ?? '');
        const size = m ? Number(m[3]) : Number.NaN;
        if (!m || Number(m[1]) !== range.start || Number(m[2]) !== range.end) {
          body.destroy();
          if (Number.isNaN(size)) throw new Error(`S3 answered a range read of ${key} without a usable Content-Range`);
          throw new RangeNotSatisfiableError(size);
        }
      }
      return body;
    } catch (err) {
      if (isNotFound(err)) throw new BlobNotFoundError(digest);
      if (httpStatus(err) === 416) {
        const size = await this.stat(digest);
        if (size === undefined) throw new BlobNotFoundError(digest);
        throw new RangeNotSatisfiableError(size);
      }
      throw err;
    }
  }

  async put(digest: string, data: Uint8Array): Promise<void> {
    const key = this.blobKey(digest);
    await this.client.send(
      new PutObjectCommand({ Bucket: this.bucket.name, Key: key, Body: data, ContentLength: data.length }),
    );
  }

  async delete(digest: string): Promise<boolean> {
    // DeleteObject succeeds whether or not the key exists, so ask first.
    if ((await this.stat(digest)) === undefined) return false;
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket.name, Key: this.blobKey(digest) }));
    return true;
  }

  async *list(): AsyncIterable<string> {
    const base = `${this.prefix}blobs/`;
    for await (const o of listObjects(this.bucket, base)) {
      const digest = o.key.slice(base.length).replace('/', ':');
      if (isBlobDigest(digest)) yield digest;
    }
  }

  async startUpload(id: string): Promise<void> {
    const key = this.startedKey(id);
    const exists = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket.name, Key: key })).then(
      () => true,
      (err: unknown) => (isNotFound(err) ? false : Promise.reject(err as Error)),
    );
    if (exists) throw new UploadExistsError(id);
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket.name, Key: key, Body: String(Date.now()) }));
  }

  async appendUpload(id: string, data: Readable): Promise<number> {
    checkUploadId(id);
    return this.locks.run(id, async () => {
      const { offset: start } = await this.requireSegments(id);
      let offset = start;
      const written: string[] = [];
      let chunks: Buffer[] = [];
      let buffered = 0;
      // One segment PUT runs while the next one is read from the client.
      let inflight: Promise<void> = Promise.resolve();
      const store = async (body: Buffer): Promise<void> => {
        await inflight;
        const key = this.segmentKey(id, offset);
        offset += body.length;
        written.push(key);
        inflight = this.client
          .send(new PutObjectCommand({ Bucket: this.bucket.name, Key: key, Body: body, ContentLength: body.length }))
          .then(() => undefined);
        inflight.catch(() => undefined); // observed by the next store() or the final await
      };
      try {
        for await (const chunk of data) {
          const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
          chunks.push(buf);
          buffered += buf.length;
          while (buffered >= this.segmentSize) {
            const all = Buffer.concat(chunks);
            await store(all.subarray(0, this.segmentSize));
            chunks = [all.subarray(this.segmentSize)];
            buffered = all.length - this.segmentSize;
          }
        }
        if (buffered > 0) await store(Buffer.concat(chunks));
        await inflight;
      } catch (err) {
        // Drop what this append stored, so the upload is as it was and the client can retry.
        await inflight.catch(() => undefined);
        await deleteKeys(this.bucket, written).catch(() => undefined);
        throw err;
      }
      return offset;
    });
  }

  async uploadSize(id: string): Promise<number | undefined> {
    const state = await this.segments(id);
    return state?.offset;
  }

  async readUpload(id: string): Promise<Readable> {
    const { segments } = await this.requireSegments(id);
    const bucket = this.bucket;
    return Readable.from(
      (async function* () {
        for (const seg of segments) yield* (await getObject(bucket, seg.key)).body;
      })(),
      { objectMode: false },
    );
  }

  async commitUpload(id: string, digest: string): Promise<void> {
    checkUploadId(id);
    const key = this.blobKey(digest);
    await this.locks.run(id, async () => {
      const { segments } = await this.requireSegments(id);
      await assemble(this.bucket, key, segments, { partSize: this.segmentSize, active: this.activeMultipart });
      await this.removeUpload(id, segments);
    });
  }

  async cancelUpload(id: string): Promise<boolean> {
    checkUploadId(id);
    return this.locks.run(id, async () => {
      const state = await this.segments(id);
      if (!state) return false;
      await this.removeUpload(id, state.segments);
      return true;
    });
  }

  async *listUploads(): AsyncIterable<UploadInfo> {
    const base = `${this.prefix}uploads/`;
    // Keys arrive sorted, so each upload's objects are consecutive ("data/..." before "startedat").
    let current: { id: string; size: number; startedAt?: Date } | undefined;
    for await (const o of listObjects(this.bucket, base)) {
      const [id, kind] = o.key.slice(base.length).split('/');
      if (id === undefined || !isUploadId(id)) continue;
      if (current?.id !== id) {
        if (current?.startedAt) yield { id: current.id, size: current.size, startedAt: current.startedAt };
        current = { id, size: 0 };
      }
      if (kind === 'data') current.size += o.size;
      else if (kind === STARTED) current.startedAt = o.lastModified;
    }
    if (current?.startedAt) yield { id: current.id, size: current.size, startedAt: current.startedAt };
  }

  async cleanup(): Promise<void> {
    // Object stores round timestamps to seconds (Swift rounds up), so 0 skips the comparison.
    const cutoff = this.staleAfterMs === 0 ? Number.POSITIVE_INFINITY : Date.now() - this.staleAfterMs;
    await this.abortStaleMultipart(cutoff);
    // Segments without a startedat marker belong to no upload: a crash mid-commit or mid-cancel.
    const base = `${this.prefix}uploads/`;
    const groups = new Map<string, { keys: string[]; newest: number; live: boolean }>();
    for await (const o of listObjects(this.bucket, base)) {
      const id = o.key.slice(base.length).split('/')[0] ?? '';
      const g = groups.get(id) ?? { keys: [], newest: 0, live: false };
      g.keys.push(o.key);
      g.newest = Math.max(g.newest, o.lastModified.getTime());
      if (o.key === `${base}${id}/${STARTED}`) g.live = true;
      groups.set(id, g);
    }
    for (const [, g] of groups) {
      if (!g.live && g.newest <= cutoff) await deleteKeys(this.bucket, g.keys);
    }
  }

  async close(): Promise<void> {
    if (this.ownsClient) this.client.destroy();
  }

  private async abortStaleMultipart(cutoff: number): Promise<void> {
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    do {
      const page = await this.client.send(
        new ListMultipartUploadsCommand({
          Bucket: this.bucket.name,
          Prefix: `${this.prefix}blobs/`,
          KeyMarker: keyMarker,
          UploadIdMarker: uploadIdMarker,
        }),
      );
      for (const u of page.Uploads ?? []) {
        if (!u.Key || !u.UploadId || this.activeMultipart.has(u.UploadId)) continue;
        if ((u.Initiated?.getTime() ?? 0) > cutoff) continue;
        await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket.name, Key: u.Key, UploadId: u.UploadId }));
      }
      const more = page.IsTruncated === true;
      keyMarker = more ? page.NextKeyMarker : undefined;
      uploadIdMarker = more ? page.NextUploadIdMarker : undefined;
    } while (keyMarker);
  }

  private startedKey(id: string): string {
    return `${this.prefix}uploads/${checkUploadId(id)}/${STARTED}`;
  }

  private segmentKey(id: string, offset: number): string {
    return `${this.prefix}uploads/${id}/data/${String(offset).padStart(SEGMENT_DIGITS, '0')}`;
  }

  /** The upload's segments in order and its size, or undefined when there is no such upload. */
  private async segments(id: string): Promise<{ segments: Segment[]; offset: number } | undefined> {
    const started = this.startedKey(id);
    const dataPrefix = `${this.prefix}uploads/${id}/data/`;
    let live = false;
    const segments: Segment[] = [];
    for await (const o of listObjects(this.bucket, `${this.prefix}uploads/${id}/`)) {
      if (o.key === started) live = true;
      else if (o.key.startsWith(dataPrefix)) {
        segments.push({ key: o.key, offset: Number(o.key.slice(dataPrefix.length)), size: o.size });
      }
    }
    if (!live) return undefined;
    let offset = 0;
    for (const seg of segments) {
      if (seg.offset !== offset) {
        throw new Error(`upload ${id} is corrupt: segment at offset ${seg.offset}, expected ${offset}`);
      }
      offset += seg.size;
    }
    return { segments, offset };
  }

  private async requireSegments(id: string): Promise<{ segments: Segment[]; offset: number }> {
    const state = await this.segments(id);
    if (!state) throw new UploadNotFoundError(id);
    return state;
  }

  /** Marker first: once it is gone the upload is gone, and leftover segments are orphans for cleanup(). */
  private async removeUpload(id: string, segments: Segment[]): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket.name, Key: this.startedKey(id) }));
    await deleteKeys(
      this.bucket,
      segments.map((s) => s.key),
    );
  }
}

function wellFormed({ start, end }: ByteRange): boolean {
  return Number.isSafeInteger(start) && Number.isSafeInteger(end) && start >= 0 && end >= start;
}
