import type { Readable } from 'node:stream';

/** Inclusive byte range, as in HTTP `Range: bytes=start-end`. */
export interface ByteRange {
  start: number;
  end: number;
}

export interface UploadInfo {
  id: string;
  size: number;
  startedAt: Date;
}

/**
 * Content-addressed blob storage. Digest verification is the caller's job (the registry
 * hashes while streaming); the store guarantees atomicity: a blob is either absent or
 * complete under its digest, never partial, whatever happens mid-write.
 *
 * Uploads are resumable append-only sessions identified by an opaque id chosen by the
 * caller. They are invisible as blobs until `commitUpload`.
 */
export interface BlobStore {
  readonly kind: string;
  /** Size of a committed blob, or undefined when absent. */
  stat(digest: string): Promise<number | undefined>;
  /** Reads a committed blob (optionally a range). Throws BlobNotFoundError when absent. */
  read(digest: string, range?: ByteRange): Promise<Readable>;
  /** Writes a whole blob whose digest the caller already verified (small blobs, manifests). */
  put(digest: string, data: Uint8Array): Promise<void>;
  delete(digest: string): Promise<boolean>;
  list(): AsyncIterable<string>;

  startUpload(id: string): Promise<void>;
  /** Appends to an upload; returns the new total size. Throws UploadNotFoundError. */
  appendUpload(id: string, data: Readable): Promise<number>;
  /** Upload size, or undefined when there is no such upload. */
  uploadSize(id: string): Promise<number | undefined>;
  /** Reads what an upload holds so far (to re-hash it when the in-memory hash state is gone). */
  readUpload(id: string): Promise<Readable>;
  /** Atomically makes the upload's bytes the blob `digest` and removes the upload. */
  commitUpload(id: string, digest: string): Promise<void>;
  cancelUpload(id: string): Promise<boolean>;
  listUploads(): AsyncIterable<UploadInfo>;

  /** Removes temporary state left by a crash (half-written files). Called on start. */
  cleanup(): Promise<void>;
  close(): Promise<void>;
}

export class BlobNotFoundError extends Error {
  constructor(readonly digest: string) {
    super(`blob ${digest} not found`);
    this.name = 'BlobNotFoundError';
  }
}

export class UploadNotFoundError extends Error {
  constructor(readonly id: string) {
    super(`upload ${id} not found`);
    this.name = 'UploadNotFoundError';
  }
}

export class RangeNotSatisfiableError extends Error {
  constructor(readonly size: number) {
    super(`range not satisfiable for a blob of ${size} bytes`);
    this.name = 'RangeNotSatisfiableError';
  }
}

/** A digest that is not `sha256:<64 hex>` or `sha512:<128 hex>`. */
export class InvalidDigestError extends Error {
  constructor(readonly digest: string) {
    super(`invalid digest ${JSON.stringify(digest.slice(0, 200))}: expected sha256:<64 hex> or sha512:<128 hex>`);
    this.name = 'InvalidDigestError';
  }
}

/** An upload id that is not a safe token (letters, digits, '-', '_'; 1-128 characters). */
export class InvalidUploadIdError extends Error {
  constructor(readonly id: string) {
    super(`invalid upload id ${JSON.stringify(id.slice(0, 200))}: expected 1-128 of [A-Za-z0-9_-]`);
    this.name = 'InvalidUploadIdError';
  }
}

/** startUpload with an id that is already in use. */
export class UploadExistsError extends Error {
  constructor(readonly id: string) {
    super(`upload ${id} already exists`);
    this.name = 'UploadExistsError';
  }
}
