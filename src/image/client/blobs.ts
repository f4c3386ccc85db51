import { Transform, pipeline, type Readable, type TransformCallback } from 'node:stream';
import { Digester, digestOf, parseDigest } from '../digest.js';
import { repositoryScope } from './auth.js';
import { DigestMismatchError } from './errors.js';
import { header, readBounded, toRegistryError, type HttpResponse } from './http.js';
import type { Transport } from './transport.js';

/** Blob operations of the distribution API: fetch (verified while streaming), probe, upload, mount, delete. */

/** A pass-through that hashes what flows and fails the stream when digest or size disagree. */
export class VerifyingStream extends Transform {
  private readonly digester: Digester;

  constructor(
    private readonly expected: string,
    private readonly expectedSize?: number,
  ) {
    super();
    const parsed = parseDigest(expected);
    if (!parsed) throw new Error(`invalid digest ${expected}`);
    this.digester = new Digester(parsed.algorithm);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.digester.update(chunk);
    if (this.expectedSize !== undefined && this.digester.size > this.expectedSize) {
      cb(new Error(`blob ${this.expected}: more than the expected ${this.expectedSize} bytes`));
      return;
    }
    cb(null, chunk);
  }

  override _flush(cb: TransformCallback): void {
    const actual = this.digester.digest();
    if (actual !== this.expected) cb(new DigestMismatchError(this.expected, actual, 'blob'));
    else if (this.expectedSize !== undefined && this.digester.size !== this.expectedSize) cb(new Error(`blob ${this.expected}: expected ${this.expectedSize} bytes, got ${this.digester.size}`));
    else cb();
  }
}

export interface BlobStream {
  /** Content-Length the registry announced, when it did. */
  size: number | undefined;
  /** The blob's bytes; errors at the end when they do not hash to the digest. */
  stream: Readable;
}

function pullScope(repo: string): string[] {
  return [repositoryScope(repo, 'pull')];
}

function pushScope(repo: string): string[] {
  return [repositoryScope(repo, 'pull,push')];
}

async function expectStatus(res: HttpResponse, method: string, ok: number[]): Promise<void> {
  if (!ok.includes(res.status)) throw await toRegistryError(res, method);
}

function contentLength(res: HttpResponse): number | undefined {
  const v = header(res.headers, 'content-length');
  if (v === undefined || !/^\d+$/.test(v)) return undefined;
  return Number(v);
}

export async function getBlob(t: Transport, repo: string, digest: string, expectedSize?: number): Promise<BlobStream> {
  const res = await t.request({ method: 'GET', path: `/v2/${repo}/blobs/${digest}`, scopes: pullScope(repo) });
  await expectStatus(res, 'GET', [200]);
  const verifier = new VerifyingStream(digest, expectedSize);
  const stream = pipeline(res.body, verifier, () => undefined);
  return { size: contentLength(res), stream };
}

/** Reads a whole blob into memory (configs, signature payloads), refusing more than `max` bytes. */
export async function getBlobBytes(t: Transport, repo: string, digest: string, max: number): Promise<Buffer> {
  const { stream } = await getBlob(t, repo, digest);
  return readBounded(stream, max, `blob ${digest}`);
}

/** `scopes` lets an upload probe with the push token it needs anyway. */
export async function headBlob(t: Transport, repo: string, digest: string, scopes = pullScope(repo)): Promise<{ size: number } | undefined> {
  const res = await t.request({ method: 'HEAD', path: `/v2/${repo}/blobs/${digest}`, scopes });
  if (res.status === 404) {
    await res.body.dump();
    return undefined;
  }
  await expectStatus(res, 'HEAD', [200]);
  await res.body.dump();
  return { size: contentLength(res) ?? 0 };
}

async function startUpload(t: Transport, repo: string): Promise<string> {
  const res = await t.request({ method: 'POST', path: `/v2/${repo}/blobs/uploads/`, headers: { 'content-length': '0' }, scopes: pushScope(repo) });
  await expectStatus(res, 'POST', [202]);
  await res.body.dump();
  return nextLocation(t, res);
}

function nextLocation(t: Transport, res: HttpResponse): string {
  const loc = header(res.headers, 'location');
  if (!loc) throw new Error(`registry ${t.registry} did not send an upload Location`);
  return new URL(loc, res.url).toString();
}

function withDigest(location: string, digest: string): string {
  const u = new URL(location);
  u.searchParams.set('digest', digest);
  return u.toString();
}

async function finishUpload(t: Transport, repo: string, location: string, digest: string, body: Buffer): Promise<void> {
  const res = await t.request({
    method: 'PUT',
    path: withDigest(location, digest),
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(body.length) },
    body,
    scopes: pushScope(repo),
  });
  await expectStatus(res, 'PUT', [201]);
  await res.body.dump();
}

export interface UploadOptions {
  /** The digest the data must have; for streams it is checked before the upload is committed. */
  digest?: string;
  /** Bytes per PATCH when uploading a stream (default 8 MiB). */
  chunkSize?: number;
  /** Skip the upload when the registry already has the blob (default true). */
  skipExisting?: boolean;
}

export interface UploadResult {
  digest: string;
  size: number;
  /** False when the registry already had it. */
  uploaded: boolean;
}

/** Uploads a blob: bytes monolithically (POST + PUT), streams in chunks (POST, PATCH…, PUT). */
export async function uploadBlob(t: Transport, repo: string, data: Buffer | Readable, opts: UploadOptions = {}): Promise<UploadResult> {
  if (Buffer.isBuffer(data)) {
    const digest = opts.digest ?? digestOf(data);
    const algorithm = parseDigest(digest)?.algorithm;
    if (!algorithm) throw new Error(`invalid digest ${digest}`);
    const actual = digestOf(data, algorithm);
    if (actual !== digest) throw new DigestMismatchError(digest, actual, 'upload');
    if (opts.skipExisting !== false && (await headBlob(t, repo, digest, pushScope(repo)))) return { digest, size: data.length, uploaded: false };
    const location = await startUpload(t, repo);
    await finishUpload(t, repo, location, digest, data);
    return { digest, size: data.length, uploaded: true };
  }
  if (opts.digest && opts.skipExisting !== false) {
    const existing = await headBlob(t, repo, opts.digest, pushScope(repo));
    if (existing) {
      data.destroy();
      return { digest: opts.digest, size: existing.size, uploaded: false };
    }
  }
  return uploadStream(t, repo, data, opts);
}

async function uploadStream(t: Transport, repo: string, data: Readable, opts: UploadOptions): Promise<UploadResult> {
  const chunkSize = opts.chunkSize ?? 8 * 1024 * 1024;
  const algorithm = opts.digest ? parseDigest(opts.digest)?.algorithm : 'sha256';
  if (!algorithm) throw new Error(`invalid digest ${opts.digest}`);
  const digester = new Digester(algorithm);
  let location = await startUpload(t, repo);
  let offset = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const flush = async (): Promise<void> => {
    if (pendingBytes === 0) return;
    const body = Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    const res = await t.request({
      method: 'PATCH',
      path: location,
      headers: {
        'content-type': 'application/octet-stream',
        'content-length': String(body.length),
        'content-range': `${offset}-${offset + body.length - 1}`,
      },
      body,
      scopes: pushScope(repo),
    });
    await expectStatus(res, 'PATCH', [202]);
    await res.body.dump();
    location = nextLocation(t, res);
    offset += body.length;
  };
  try {
    for await (const raw of data) {
      const chunk = Buffer.isBuffer(raw) ? raw : Buffer.from(raw as Uint8Array);
      digester.update(chunk);
      pending.push(chunk);
      pendingBytes += chunk.length;
      while (pendingBytes >= chunkSize) {
        const all = Buffer.concat(pending, pendingBytes);
        pending = [all.subarray(0, chunkSize)];
        pendingBytes = chunkSize;
        const rest = all.subarray(chunkSize);
        await flush();
        pending = rest.length > 0 ? [rest] : [];
        pendingBytes = rest.length;
      }
    }
    await flush();
    const digest = digester.digest();
    if (opts.digest && digest !== opts.digest) throw new DigestMismatchError(opts.digest, digest, 'upload');
    await finishUpload(t, repo, location, digest, Buffer.alloc(0));
    return { digest, size: offset, uploaded: true };
  } catch (err) {
    await cancelUpload(t, repo, location);
    throw err;
  }
}

async function cancelUpload(t: Transport, repo: string, location: string): Promise<void> {
  try {
    const res = await t.request({ method: 'DELETE', path: location, scopes: pushScope(repo) });
    await res.body.dump();
  } catch {
    // The session expires on its own; the original error matters more.
  }
}

/** Cross-repository mount; false when the registry started a normal upload instead (then cancelled). */
export async function mountBlob(t: Transport, repo: string, digest: string, fromRepo: string): Promise<boolean> {
  const q = new URLSearchParams({ mount: digest, from: fromRepo });
  const res = await t.request({
    method: 'POST',
    path: `/v2/${repo}/blobs/uploads/?${q.toString()}`,
    headers: { 'content-length': '0' },
    scopes: [repositoryScope(repo, 'pull,push'), repositoryScope(fromRepo, 'pull')],
  });
  await expectStatus(res, 'POST', [201, 202]);
  await res.body.dump();
  if (res.status === 201) return true;
  await cancelUpload(t, repo, nextLocation(t, res));
  return false;
}

export async function deleteBlob(t: Transport, repo: string, digest: string): Promise<void> {
  const res = await t.request({ method: 'DELETE', path: `/v2/${repo}/blobs/${digest}`, scopes: [repositoryScope(repo, 'delete')] });
  await expectStatus(res, 'DELETE', [202]);
  await res.body.dump();
}
