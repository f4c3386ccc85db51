import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ImportStats } from '../db/database.js';
import { dbPath } from '../db/paths.js';
import { rebuildAtomically } from '../db/swap.js';
import { type FeedFormat, importPath } from '../importers/index.js';
import { download, fetchChecksum } from './download.js';

export interface FeedSpec {
  /** Short name, also the downloaded file's name ("osv-npm", "debian-tracker"). */
  name: string;
  url: string;
  /** Forced format; otherwise detected from the downloaded file. */
  format?: FeedFormat;
  /** URL of a published sha256 checksum for the feed file, when the feed has one. */
  sha256Url?: string;
}

const OSV = 'https://osv-vulnerabilities.storage.googleapis.com';

/** The feeds `db update` uses unless told otherwise. */
export const DEFAULT_FEEDS: FeedSpec[] = [
  ...['Debian', 'Ubuntu', 'Alpine', 'npm', 'PyPI', 'Go', 'Maven', 'RubyGems', 'crates.io', 'Packagist', 'NuGet'].map((eco) => ({
    name: `osv-${eco}`,
    url: `${OSV}/${encodeURIComponent(eco)}/all.zip`,
  })),
  { name: 'debian-tracker', url: 'https://security-tracker.debian.org/tracker/data/json', format: 'debian-tracker' },
];

/** "NAME=URL" or a bare URL (named after its last path segments). */
export function parseFeedArg(arg: string): FeedSpec {
  const eq = arg.indexOf('=');
  if (eq > 0 && !arg.slice(0, eq).includes('/')) return { name: arg.slice(0, eq), url: arg.slice(eq + 1) };
  const u = new URL(arg);
  const segs = u.pathname.split('/').filter((s) => s.length > 0);
  const last = segs[segs.length - 1] ?? u.hostname;
  const name = last === 'all.zip' && segs.length > 1 ? `osv-${decodeURIComponent(segs[segs.length - 2]!)}` : last.replace(/\.[a-z]+$/, '');
  return { name, url: arg };
}

export interface UpdateProgress {
  feed: string;
  received: number;
  total?: number;
}

export interface UpdateResult {
  dbPath: string;
  feeds: { name: string; bytes: number; resumed: boolean; stats: ImportStats & { format: FeedFormat } }[];
}

function fileNameFor(feed: FeedSpec): string {
  const path = new URL(feed.url).pathname;
  const ext = path.endsWith('.zip') ? '.zip' : '.json';
  return `${feed.name.replace(/[^A-Za-z0-9._-]/g, '_')}${ext}`;
}

/**
 * Downloads every feed (resuming partial downloads, verifying published checksums), then
 * builds a fresh DB from them and swaps it in atomically. Any failure leaves the old DB as it was.
 */
export async function updateDb(
  cacheDir: string,
  feeds: FeedSpec[],
  opts: { onProgress?: (p: UpdateProgress) => void; signal?: AbortSignal } = {},
): Promise<UpdateResult> {
  const downloads = join(cacheDir, 'downloads');
  mkdirSync(downloads, { recursive: true });
  const fetched: { feed: FeedSpec; file: string; bytes: number; resumed: boolean }[] = [];
  for (const feed of feeds) {
    const file = join(downloads, fileNameFor(feed));
    const sha256 = feed.sha256Url ? await fetchChecksum(feed.sha256Url, opts.signal) : undefined;
    const r = await download(feed.url, file, {
      ...(sha256 ? { sha256 } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
      onProgress: (received, total) => opts.onProgress?.({ feed: feed.name, received, ...(total !== undefined ? { total } : {}) }),
    });
    fetched.push({ feed, file, ...r });
  }
  const target = dbPath(cacheDir);
  const results = await rebuildAtomically(target, (db) =>
    fetched.map(({ feed, file, bytes, resumed }) => ({ name: feed.name, bytes, resumed, stats: importPath(db, file, feed.format) })),
  );
  return { dbPath: target, feeds: results };
}
