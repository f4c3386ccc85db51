import { InvalidDigestError, InvalidUploadIdError, RangeNotSatisfiableError, type ByteRange } from './blobstore.js';

export interface BlobName {
  algorithm: 'sha256' | 'sha512';
  hex: string;
}

const DIGEST_RE = /^(?:sha256:([a-f0-9]{64})|sha512:([a-f0-9]{128}))$/;
// Ids become path segments and object-key segments: no dots, slashes or anything to escape.
const UPLOAD_ID_RE = /^[A-Za-z0-9_-]{1,128}$/;

/** Splits a digest into algorithm and hex, or throws InvalidDigestError. */
export function blobName(digest: string): BlobName {
  const m = DIGEST_RE.exec(digest);
  if (!m) throw new InvalidDigestError(String(digest));
  return m[1] !== undefined ? { algorithm: 'sha256', hex: m[1] } : { algorithm: 'sha512', hex: m[2]! };
}

export function isBlobDigest(digest: string): boolean {
  return DIGEST_RE.test(digest);
}

export function checkUploadId(id: string): string {
  if (typeof id !== 'string' || !UPLOAD_ID_RE.test(id)) throw new InvalidUploadIdError(String(id));
  return id;
}

export function isUploadId(id: string): boolean {
  return UPLOAD_ID_RE.test(id);
}

/** Throws RangeNotSatisfiableError unless `range` lies inside a blob of `size` bytes. */
export function checkRange(range: ByteRange, size: number): void {
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start || end >= size) {
    throw new RangeNotSatisfiableError(size);
  }
}
