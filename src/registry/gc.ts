/**
 * Online garbage collection: mark and sweep with a grace period, safe while other processes
 * push to the same database and storage.
 *
 * 1. Links: a repository link older than the grace period that no manifest of its repository
 *    references is removed by one conditional DELETE (re-checking both). A manifest PUT touches
 *    its links first and again inside its commit transaction, so a link it uses is either fresh
 *    (GC skips it) or already gone (the PUT fails with MANIFEST_BLOB_UNKNOWN).
 * 2. Blobs: a blob untouched for the grace period with no link and no reference is marked
 *    `deleting` by one conditional UPDATE, deleted from storage, and its row removed only if
 *    still `deleting`. Upload commits and mounts claim (touch) the digest before writing and
 *    wait while it is `deleting`, so a blob written again is never lost.
 * Manifests are never deleted here: untagged or old images go through retention.
 *
 * The one assumption: an upload commit (claim → storage → link) takes less than the grace period.
 */
import type { Logger } from 'pino';
import type { BlobStore } from '../storage/blobstore.js';
import type { MetadataStore } from '../metadata/store.js';
import { every, type Schedule } from './schedule.js';

export interface GcOptions {
  /** Links and blobs younger than this are kept (default 1 hour). */
  graceMs?: number;
  /** List what would go without changing anything. */
  dryRun?: boolean;
  /** Rows per query (default 500). */
  batchSize?: number;
  /** A `deleting` mark older than this was left by a crashed GC and is finished (default 10 min). */
  staleMarkMs?: number;
  now?: () => number;
}

export interface GcReport {
  dryRun: boolean;
  startedAt: Date;
  finishedAt: Date;
  /** Repository links removed (or, in a dry run, that would be). */
  links: Array<{ repository: string; digest: string }>;
  /** Blobs deleted (or that would be), with their sizes. */
  blobs: Array<{ digest: string; size: number }>;
  bytesFreed: number;
  /** Per-blob failures (storage errors); the blob stays marked and a later run finishes it. */
  errors: Array<{ digest: string; error: string }>;
}

export const DEFAULT_GC_GRACE_MS = 60 * 60 * 1000;

export async function collectGarbage(stores: { meta: MetadataStore; blobs: BlobStore }, opts: GcOptions = {}): Promise<GcReport> {
  const now = opts.now ?? Date.now;
  const startedAt = new Date(now());
  const cutoff = new Date(startedAt.getTime() - (opts.graceMs ?? DEFAULT_GC_GRACE_MS));
  const batch = opts.batchSize ?? 500;
  const { meta } = stores;
  const names = new Map((await meta.allRepositories()).map((r) => [r.id, r.name]));
  const report: GcReport = { dryRun: opts.dryRun === true, startedAt, finishedAt: startedAt, links: [], blobs: [], bytesFreed: 0, errors: [] };

  if (opts.dryRun) {
    await dryRun(meta, cutoff, names, report);
    report.finishedAt = new Date(now());
    return report;
  }

  // 1. Dangling links. Each batch re-reads from the start: removed rows are gone, and rows
  // that turned out fresh or referenced stop the loop (they would come back every time).
  for (;;) {
    const candidates = await meta.danglingLinks(cutoff, batch);
    let removed = 0;
    for (const l of candidates) {
      if (await meta.removeDanglingLink(l.repositoryId, l.digest, cutoff)) {
        removed++;
        report.links.push({ repository: names.get(l.repositoryId) ?? String(l.repositoryId), digest: l.digest });
      }
    }
    if (candidates.length < batch || removed === 0) break;
  }

  // 2. Deletions a crashed GC left half done.
  const staleBefore = new Date(startedAt.getTime() - (opts.staleMarkMs ?? 10 * 60 * 1000));
  for (const digest of await meta.deletingBlobs(staleBefore, batch)) await sweep(stores, digest, report);

  // 3. Unreferenced blobs.
  for (;;) {
    const candidates = await meta.unreferencedBlobs(cutoff, batch);
    let marked = 0;
    for (const digest of candidates) {
      if (!(await meta.markBlobDeleting(digest, cutoff))) continue;
      marked++;
      await sweep(stores, digest, report);
    }
    if (candidates.length < batch || marked === 0) break;
  }
  report.finishedAt = new Date(now());
  return report;
}

async function sweep(stores: { meta: MetadataStore; blobs: BlobStore }, digest: string, report: GcReport): Promise<void> {
  const size = (await stores.meta.blobInfo(digest))?.size ?? 0;
  try {
    await stores.blobs.delete(digest);
  } catch (err) {
    report.errors.push({ digest, error: err instanceof Error ? err.message : String(err) });
    return;
  }
  // Waiting uploads of this digest proceed once the row is gone.
  if (await stores.meta.finishBlobDeletion(digest)) {
    report.blobs.push({ digest, size });
    report.bytesFreed += size;
  }
}

async function dryRun(meta: MetadataStore, cutoff: Date, names: Map<number, string>, report: GcReport): Promise<void> {
  const links = await meta.danglingLinks(cutoff);
  const perDigest = new Map<string, number>();
  for (const l of links) {
    report.links.push({ repository: names.get(l.repositoryId) ?? String(l.repositoryId), digest: l.digest });
    perDigest.set(l.digest, (perDigest.get(l.digest) ?? 0) + 1);
  }
  const digests = new Set(await meta.unreferencedBlobs(cutoff));
  const usage = await meta.blobUsage([...perDigest.keys()]);
  for (const [digest, dangling] of perDigest) {
    const u = usage.get(digest);
    // Every link of it goes and nothing references it: it would go too (if untouched long enough).
    if (u && u.references === 0 && u.links === dangling) {
      const info = await meta.blobInfo(digest);
      if (info?.state === 'live') digests.add(digest);
    }
  }
  for (const digest of [...digests].sort()) {
    const size = (await meta.blobInfo(digest))?.size ?? 0;
    report.blobs.push({ digest, size });
    report.bytesFreed += size;
  }
}

export interface GcScheduleOptions extends Omit<GcOptions, 'dryRun'> {
  intervalMs: number;
  logger?: Pick<Logger, 'info' | 'warn'>;
  onReport?: (report: GcReport) => void;
}

/** Runs GC every `intervalMs` in this process (each serve process may run one: GC is safe to run concurrently). */
export function startGcSchedule(stores: { meta: MetadataStore; blobs: BlobStore }, opts: GcScheduleOptions): Schedule<GcReport> {
  const { intervalMs, logger, onReport, ...gc } = opts;
  return every(
    intervalMs,
    async () => {
      const report = await collectGarbage(stores, gc);
      if (report.links.length + report.blobs.length + report.errors.length > 0) {
        logger?.info({ links: report.links.length, blobs: report.blobs.length, bytesFreed: report.bytesFreed, errors: report.errors.length }, 'garbage collection');
      }
      onReport?.(report);
      return report;
    },
    (err) => logger?.warn({ err }, 'garbage collection failed'),
  );
}
