/** Database rows → the store's types, and the limits the store shares. */
import { sql, type Selectable } from 'kysely';
import type { ManifestRow, Page, ReferrerRow } from './store.js';
import type { ManifestsTable } from './schema.js';

/** Digests per IN (...) list: far below SQLite's and PostgreSQL's parameter limits. */
export const IN_CHUNK = 500;

export function chunks<T>(items: readonly T[], size = IN_CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Validates `n`: undefined means no limit; negative or fractional is a caller bug. */
export function pageLimit(page: Page | undefined): number | undefined {
  const n = page?.n;
  if (n === undefined) return undefined;
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`page size must be a non-negative integer, got ${n}`);
  return n;
}

export function toDate(ms: number | string): Date {
  return new Date(Number(ms));
}

export function parseAnnotations(text: string | null): Record<string, string> | null {
  if (text === null) return null;
  return JSON.parse(text) as Record<string, string>;
}

export function toManifestRow(r: Omit<Selectable<ManifestsTable>, 'last_pulled_at'>): ManifestRow {
  return {
    repositoryId: Number(r.repository_id),
    digest: r.digest,
    mediaType: r.media_type,
    artifactType: r.artifact_type,
    subject: r.subject,
    configDigest: r.config_digest,
    annotations: parseAnnotations(r.annotations),
    size: Number(r.size),
    content: Buffer.isBuffer(r.content) ? r.content : Buffer.from(r.content),
    createdAt: toDate(r.created_at),
  };
}

export function toReferrerRow(r: {
  digest: string;
  media_type: string;
  artifact_type: string | null;
  size: number | string;
  annotations: string | null;
}): ReferrerRow {
  return {
    digest: r.digest,
    mediaType: r.media_type,
    artifactType: r.artifact_type,
    size: Number(r.size),
    annotations: parseAnnotations(r.annotations),
  };
}

export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** `SELECT 1` for EXISTS subqueries. */
export const one = sql<number>`1`;
