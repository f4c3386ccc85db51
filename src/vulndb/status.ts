import { existsSync, statSync } from 'node:fs';
import { VulnDb, type SourceRow } from './db/database.js';

export interface DbStatus {
  path: string;
  exists: boolean;
  sizeBytes?: number;
  counts?: ReturnType<VulnDb['counts']>;
  sources: (SourceRow & { ageHours: number; stale: boolean })[];
}

/** Sources older than this are flagged stale (feeds publish daily or more often). */
export const STALE_AFTER_HOURS = 48;

export function dbStatus(path: string, now = new Date()): DbStatus {
  if (!existsSync(path)) return { path, exists: false, sources: [] };
  const db = VulnDb.open(path, { readonly: true });
  try {
    const sources = db.sources().map((s) => {
      const ageHours = (now.getTime() - Date.parse(s.importedAt)) / 3_600_000;
      return { ...s, ageHours, stale: ageHours > STALE_AFTER_HOURS };
    });
    return { path, exists: true, sizeBytes: statSync(path).size, counts: db.counts(), sources };
  } finally {
    db.close();
  }
}

export function formatStatus(s: DbStatus): string {
  if (!s.exists) return `no vulnerability DB at ${s.path} (run "portcullis db import PATH" or "portcullis db update")\n`;
  const lines = [
    `database: ${s.path} (${((s.sizeBytes ?? 0) / 1024 / 1024).toFixed(1)} MiB)`,
    `advisories: ${s.counts?.advisories ?? 0}, affected entries: ${s.counts?.affected ?? 0}, CVSS enrichments: ${s.counts?.cvssEnrichment ?? 0}`,
    '',
    ['SOURCE', 'KIND', 'IMPORTED', 'AGE', 'DATA UPDATED', 'RECORDS', 'WARNINGS', 'ORIGIN'].join('\t'),
  ];
  for (const src of s.sources) {
    const age = src.ageHours < 48 ? `${src.ageHours.toFixed(1)}h` : `${(src.ageHours / 24).toFixed(1)}d`;
    lines.push(
      [src.name, src.kind, src.importedAt, `${age}${src.stale ? ' (stale)' : ''}`, src.dataUpdatedAt ?? '-', src.records, src.warnings, src.origin].join('\t'),
    );
  }
  return `${lines.join('\n')}\n`;
}
