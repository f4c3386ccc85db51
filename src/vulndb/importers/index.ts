import { readFileSync, statSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { ImportItem, ImportStats, SourceInfo, VulnDb } from '../db/database.js';
import { alpineSecdb, alpineSecdbSource, looksLikeAlpineSecdb } from './alpine-secdb.js';
import { debianTracker, debianTrackerSource, looksLikeDebianTracker } from './debian-tracker.js';
import { looksLikeNvd, nvdCves, nvdSource } from './nvd.js';
import { MAX_JSON_BYTES, osvDirectory, osvFile, osvZip } from './osv.js';

/** Every feed format the importer understands, explicitly. */
export const FORMATS = ['osv-dir', 'osv-zip', 'osv-json', 'debian-tracker', 'alpine-secdb', 'nvd'] as const;
export type FeedFormat = (typeof FORMATS)[number];

/** Documents bigger than this are refused (the full Debian tracker JSON is ~70 MB). */
export const MAX_FEED_JSON_BYTES = 512 * 1024 * 1024;

export interface PreparedImport {
  format: FeedFormat;
  source: SourceInfo;
  items: Iterable<ImportItem>;
}

export class FeedFormatError extends Error {
  override name = 'FeedFormatError';
}

function osvName(path: string): string {
  const base = basename(path);
  return `osv:${base === 'all.zip' ? basename(dirname(path)) : base.replace(/\.zip$/, '')}`;
}

/** Works out what PATH holds (OSV dir/zip/record, Debian tracker, Alpine secdb, NVD) and how to import it. */
export function prepareImport(path: string, format?: FeedFormat): PreparedImport {
  const st = statSync(path);
  const fmt = format ?? (st.isDirectory() ? 'osv-dir' : path.endsWith('.zip') ? 'osv-zip' : undefined);
  if (fmt === 'osv-dir') return { format: fmt, source: { name: osvName(path), kind: 'osv', origin: path }, items: osvDirectory(path) };
  if (fmt === 'osv-zip') return { format: fmt, source: { name: osvName(path), kind: 'osv', origin: path }, items: osvZip(path) };
  if (st.size > (fmt === 'osv-json' ? MAX_JSON_BYTES : MAX_FEED_JSON_BYTES))
    throw new FeedFormatError(`${path}: ${st.size} bytes is larger than any feed document this importer accepts`);
  if (fmt === 'osv-json') return { format: fmt, source: { name: osvName(dirname(path)), kind: 'osv', origin: path }, items: osvFile(path) };
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new FeedFormatError(`${path}: not JSON (${(err as Error).message})`);
  }
  const detected: FeedFormat | undefined =
    fmt ??
    (looksLikeNvd(doc)
      ? 'nvd'
      : looksLikeAlpineSecdb(doc)
        ? 'alpine-secdb'
        : typeof doc === 'object' && doc !== null && 'id' in doc && 'modified' in doc
          ? 'osv-json'
          : looksLikeDebianTracker(doc)
            ? 'debian-tracker'
            : undefined);
  switch (detected) {
    case 'nvd':
      return { format: detected, source: nvdSource(path, doc), items: nvdCves(doc, path) };
    case 'alpine-secdb':
      if (!looksLikeAlpineSecdb(doc)) throw new FeedFormatError(`${path}: not an Alpine secdb document`);
      return { format: detected, source: alpineSecdbSource(doc as { distroversion: string }, path), items: alpineSecdb(doc, path) };
    case 'debian-tracker':
      return { format: detected, source: debianTrackerSource(path), items: debianTracker(doc, path) };
    case 'osv-json':
      return { format: detected, source: { name: osvName(dirname(path)), kind: 'osv', origin: path }, items: osvFile(path) };
    default:
      throw new FeedFormatError(`${path}: unrecognised feed format (expected OSV, Debian tracker, Alpine secdb or NVD JSON)`);
  }
}

/** Detects the format of PATH and imports it into the DB (one transaction). */
export function importPath(db: VulnDb, path: string, format?: FeedFormat): ImportStats & { format: FeedFormat } {
  const prepared = prepareImport(path, format);
  return { ...db.importFrom(prepared.source, prepared.items), format: prepared.format };
}
