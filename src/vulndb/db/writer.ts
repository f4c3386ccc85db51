import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import { ecosystemKey, packageKey } from '../names.js';
import type { AdvisoryRecord, CvssRecord } from '../types.js';

/** What an importer yields: records, or a warning about input it had to skip. */
export type ImportItem =
  | { type: 'advisory'; record: AdvisoryRecord }
  | { type: 'cvss'; record: CvssRecord }
  | { type: 'warning'; code: string; message: string };

export interface SourceInfo {
  /** Stable name of the source in the DB ("osv", "debian-tracker", "alpine-secdb:v3.19/main", "nvd"). */
  name: string;
  /** Feed format ("osv", "debian-tracker", "alpine-secdb", "nvd"). */
  kind: string;
  /** Where the data came from (path or URL). */
  origin: string;
  /** Newest time the feed itself reports, if it says. */
  dataUpdatedAt?: string;
  /**
   * Full snapshots: advisories of this source in these namespaces that the import did not
   * see are removed (a CVE dropped from the Debian tracker disappears here too).
   */
  snapshotNamespaces?: string[];
}

export interface ImportStats {
  source: string;
  records: number;
  inserted: number;
  updated: number;
  skipped: number;
  removed: number;
  warnings: number;
  warningsByCode: Record<string, number>;
  /** The first few warning messages, for the operator. */
  warningExamples: string[];
}

const MAX_WARNING_EXAMPLES = 20;

/** true when `next` is strictly newer than `prev` (ISO timestamps; strings compared when unparsable). */
function isNewer(next: string, prev: string): boolean {
  const a = Date.parse(next);
  const b = Date.parse(prev);
  if (!Number.isNaN(a) && !Number.isNaN(b)) return a > b;
  return next > prev;
}

function hashRecord(record: unknown): string {
  return createHash('sha256').update(JSON.stringify(record)).digest('hex');
}

/** Writes an import into the DB in one transaction: a failure part-way leaves the DB as it was. */
export function importInto(db: Database.Database, source: SourceInfo, items: Iterable<ImportItem>): ImportStats {
  const stats: ImportStats = {
    source: source.name,
    records: 0,
    inserted: 0,
    updated: 0,
    skipped: 0,
    removed: 0,
    warnings: 0,
    warningsByCode: {},
    warningExamples: [],
  };
  const seen = new Set<number>();
  // freshness: the feed's own timestamp, else the newest `modified` among its records
  let newest: string | undefined = source.dataUpdatedAt;
  const selectAdvisory = db.prepare('SELECT uid, modified, content_hash FROM advisories WHERE namespace = ? AND id = ?');
  const insertAdvisory = db.prepare(
    `INSERT INTO advisories (namespace, id, source, summary, details, severity, cvss, published, modified, withdrawn, refs, content_hash)
     VALUES (@namespace, @id, @source, @summary, @details, @severity, @cvss, @published, @modified, @withdrawn, @refs, @hash)`,
  );
  const updateAdvisory = db.prepare(
    `UPDATE advisories SET source = @source, summary = @summary, details = @details, severity = @severity, cvss = @cvss,
     published = @published, modified = @modified, withdrawn = @withdrawn, refs = @refs, content_hash = @hash WHERE uid = @uid`,
  );
  const deleteAffected = db.prepare('DELETE FROM affected WHERE advisory_uid = ?');
  const deleteAliases = db.prepare('DELETE FROM aliases WHERE advisory_uid = ?');
  const insertAlias = db.prepare('INSERT OR IGNORE INTO aliases (advisory_uid, alias) VALUES (?, ?)');
  const insertAffected = db.prepare(
    `INSERT INTO affected (advisory_uid, ecosystem, package, ranges, versions, release, status, fixed_version, severity)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const selectCvss = db.prepare('SELECT modified FROM cvss_enrichment WHERE id = ? AND source = ?');
  const upsertCvss = db.prepare(
    `INSERT INTO cvss_enrichment (id, source, modified, cvss) VALUES (?, ?, ?, ?)
     ON CONFLICT (id, source) DO UPDATE SET modified = excluded.modified, cvss = excluded.cvss`,
  );

  const warn = (code: string, message: string): void => {
    stats.warnings++;
    stats.warningsByCode[code] = (stats.warningsByCode[code] ?? 0) + 1;
    if (stats.warningExamples.length < MAX_WARNING_EXAMPLES) stats.warningExamples.push(`${code}: ${message}`);
  };

  const writeAdvisory = (r: AdvisoryRecord): void => {
    stats.records++;
    if (source.dataUpdatedAt === undefined && r.modified !== undefined && (newest === undefined || isNewer(r.modified, newest))) newest = r.modified;
    const hash = hashRecord(r);
    const existing = selectAdvisory.get(r.namespace, r.id) as { uid: number; modified: string | null; content_hash: string } | undefined;
    if (existing) {
      seen.add(existing.uid);
      const notNewer = r.modified !== undefined && existing.modified !== null && !isNewer(r.modified, existing.modified);
      if (existing.content_hash === hash || notNewer) {
        stats.skipped++;
        return;
      }
    }
    const row = {
      namespace: r.namespace,
      id: r.id,
      source: source.name,
      summary: r.summary ?? null,
      details: r.details ?? null,
      severity: r.severity ?? null,
      cvss: JSON.stringify(r.cvss),
      published: r.published ?? null,
      modified: r.modified ?? null,
      withdrawn: r.withdrawn ?? null,
      refs: JSON.stringify(r.references),
      hash,
    };
    let uid: number;
    if (existing) {
      uid = existing.uid;
      updateAdvisory.run({ ...row, uid });
      deleteAffected.run(uid);
      deleteAliases.run(uid);
      stats.updated++;
    } else {
      uid = Number(insertAdvisory.run(row).lastInsertRowid);
      seen.add(uid);
      stats.inserted++;
    }
    for (const alias of r.aliases) if (alias !== r.id) insertAlias.run(uid, alias);
    for (const a of r.affected) {
      insertAffected.run(
        uid,
        ecosystemKey(a.ecosystem),
        packageKey(a.ecosystem, a.name),
        JSON.stringify(a.ranges),
        JSON.stringify(a.versions),
        a.release ?? null,
        a.status ?? null,
        a.fixedVersion ?? null,
        a.severity ?? null,
      );
    }
  };

  const writeCvss = (r: CvssRecord): void => {
    stats.records++;
    const existing = selectCvss.get(r.id, source.name) as { modified: string | null } | undefined;
    if (existing && r.modified !== undefined && existing.modified !== null && !isNewer(r.modified, existing.modified)) {
      stats.skipped++;
      return;
    }
    upsertCvss.run(r.id, source.name, r.modified ?? null, JSON.stringify(r.cvss));
    if (existing) stats.updated++;
    else stats.inserted++;
  };

  db.exec('BEGIN IMMEDIATE');
  try {
    for (const item of items) {
      if (item.type === 'warning') warn(item.code, item.message);
      else if (item.type === 'advisory') writeAdvisory(item.record);
      else writeCvss(item.record);
    }
    if (source.snapshotNamespaces && source.snapshotNamespaces.length > 0) {
      const stale = db
        .prepare(
          `SELECT uid FROM advisories WHERE source = ? AND namespace IN (${source.snapshotNamespaces.map(() => '?').join(',')})`,
        )
        .all(source.name, ...source.snapshotNamespaces) as { uid: number }[];
      const del = db.prepare('DELETE FROM advisories WHERE uid = ?');
      for (const { uid } of stale) {
        if (seen.has(uid)) continue;
        del.run(uid);
        stats.removed++;
      }
    }
    db
      .prepare(
        `INSERT INTO sources (name, kind, origin, imported_at, data_updated_at, records, inserted, updated, skipped, removed, warnings)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, origin = excluded.origin, imported_at = excluded.imported_at,
           data_updated_at = excluded.data_updated_at, records = excluded.records, inserted = excluded.inserted,
           updated = excluded.updated, skipped = excluded.skipped, removed = excluded.removed, warnings = excluded.warnings`,
      )
      .run(
        source.name,
        source.kind,
        source.origin,
        new Date().toISOString(),
        newest ?? null,
        stats.records,
        stats.inserted,
        stats.updated,
        stats.skipped,
        stats.removed,
        stats.warnings,
      );
    db.exec('COMMIT');
  } catch (err) {
    db.exec('ROLLBACK');
    throw err;
  }
  return stats;
}
