import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { ecosystemKey, packageKey } from '../names.js';
import { type ImportItem, type ImportStats, type SourceInfo, importInto } from './writer.js';
import type { AffectedPackage, CvssScore, FixStatus, Severity } from '../types.js';
import { SCHEMA, SCHEMA_VERSION } from './schema.js';

export type { ImportItem, ImportStats, SourceInfo } from './writer.js';

export interface SourceRow {
  name: string;
  kind: string;
  origin: string;
  importedAt: string;
  dataUpdatedAt?: string;
  records: number;
  inserted: number;
  updated: number;
  skipped: number;
  removed: number;
  warnings: number;
}

/** An affected entry joined with its advisory: what matching works on. */
export interface Candidate {
  namespace: string;
  advisoryId: string;
  source: string;
  aliases: string[];
  summary?: string;
  details?: string;
  advisorySeverity?: Severity;
  cvss: CvssScore[];
  references: string[];
  withdrawn?: string;
  affected: AffectedPackage;
}

interface AdvisoryRow {
  uid: number;
  namespace: string;
  id: string;
  source: string;
  summary: string | null;
  details: string | null;
  severity: string | null;
  cvss: string;
  modified: string | null;
  withdrawn: string | null;
  refs: string;
  content_hash: string;
}

interface AffectedRow {
  advisory_uid: number;
  ecosystem: string;
  package: string;
  ranges: string;
  versions: string;
  release: string | null;
  status: string | null;
  fixed_version: string | null;
  severity: string | null;
}

/** The local vulnerability DB: one SQLite file. */
export class VulnDb {
  readonly path: string;
  readonly db: Database.Database;

  private constructor(path: string, db: Database.Database) {
    this.path = path;
    this.db = db;
  }

  static open(path: string, opts: { readonly?: boolean } = {}): VulnDb {
    if (!opts.readonly) mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path, { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false });
    try {
      db.pragma('foreign_keys = ON');
      if (!opts.readonly) {
        db.pragma('journal_mode = WAL');
        db.exec(SCHEMA);
        const row = db.prepare('SELECT value FROM meta WHERE key = ?').get('schema_version') as { value: string } | undefined;
        if (!row) db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run('schema_version', String(SCHEMA_VERSION));
        else if (Number(row.value) !== SCHEMA_VERSION)
          throw new Error(`vulnerability DB ${path} has schema ${row.value}, this build needs ${SCHEMA_VERSION}; rebuild it`);
      } else {
        const hasMeta = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'`).get();
        const row = hasMeta
          ? (db.prepare('SELECT value FROM meta WHERE key = ?').get('schema_version') as { value: string } | undefined)
          : undefined;
        if (!row) throw new Error(`${path} is not a Portcullis vulnerability DB`);
        if (Number(row.value) !== SCHEMA_VERSION)
          throw new Error(`vulnerability DB ${path} has schema ${row.value}, this build needs ${SCHEMA_VERSION}; rebuild it`);
      }
    } catch (err) {
      db.close();
      throw err;
    }
    return new VulnDb(path, db);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** Imports every item in one transaction: a failure part-way leaves the DB as it was. */
  importFrom(source: SourceInfo, items: Iterable<ImportItem>): ImportStats {
    return importInto(this.db, source, items);
  }

  /** Every affected entry (with its advisory) for a package name in an ecosystem. */
  candidates(ecosystem: string, name: string): Candidate[] {
    const rows = this.db
      .prepare(
        `SELECT f.*, a.namespace, a.id, a.source, a.summary, a.details, a.severity AS advisory_severity, a.cvss, a.withdrawn, a.refs
         FROM affected f JOIN advisories a ON a.uid = f.advisory_uid WHERE f.ecosystem = ? AND f.package = ?`,
      )
      .all(ecosystemKey(ecosystem), packageKey(ecosystem, name)) as (AffectedRow &
      Omit<AdvisoryRow, 'severity' | 'uid' | 'modified' | 'content_hash'> & { advisory_severity: string | null })[];
    const aliasStmt = this.db.prepare('SELECT alias FROM aliases WHERE advisory_uid = ? ORDER BY alias');
    return rows.map((r) => {
      const affected: AffectedPackage = {
        ecosystem: r.ecosystem,
        name: r.package,
        ranges: JSON.parse(r.ranges) as AffectedPackage['ranges'],
        versions: JSON.parse(r.versions) as string[],
      };
      if (r.release !== null) affected.release = r.release;
      if (r.status !== null) affected.status = r.status as FixStatus;
      if (r.fixed_version !== null) affected.fixedVersion = r.fixed_version;
      if (r.severity !== null) affected.severity = r.severity as Severity;
      const c: Candidate = {
        namespace: r.namespace,
        advisoryId: r.id,
        source: r.source,
        aliases: (aliasStmt.all(r.advisory_uid) as { alias: string }[]).map((x) => x.alias),
        cvss: JSON.parse(r.cvss) as CvssScore[],
        references: JSON.parse(r.refs) as string[],
        affected,
      };
      if (r.summary !== null) c.summary = r.summary;
      if (r.details !== null) c.details = r.details;
      if (r.advisory_severity !== null) c.advisorySeverity = r.advisory_severity as Severity;
      if (r.withdrawn !== null) c.withdrawn = r.withdrawn;
      return c;
    });
  }

  /** CVSS entries that enrichment sources (NVD) hold for any of these ids. */
  enrichment(ids: string[]): CvssScore[] {
    const stmt = this.db.prepare('SELECT cvss FROM cvss_enrichment WHERE id = ? ORDER BY source');
    return ids.flatMap((id) => (stmt.all(id) as { cvss: string }[]).flatMap((r) => JSON.parse(r.cvss) as CvssScore[]));
  }

  sources(): SourceRow[] {
    const rows = this.db.prepare('SELECT * FROM sources ORDER BY name').all() as {
      name: string;
      kind: string;
      origin: string;
      imported_at: string;
      data_updated_at: string | null;
      records: number;
      inserted: number;
      updated: number;
      skipped: number;
      removed: number;
      warnings: number;
    }[];
    return rows.map((r) => {
      const s: SourceRow = {
        name: r.name,
        kind: r.kind,
        origin: r.origin,
        importedAt: r.imported_at,
        records: r.records,
        inserted: r.inserted,
        updated: r.updated,
        skipped: r.skipped,
        removed: r.removed,
        warnings: r.warnings,
      };
      if (r.data_updated_at !== null) s.dataUpdatedAt = r.data_updated_at;
      return s;
    });
  }

  counts(): { advisories: number; affected: number; aliases: number; cvssEnrichment: number } {
    const n = (table: string): number => (this.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    return { advisories: n('advisories'), affected: n('affected'), aliases: n('aliases'), cvssEnrichment: n('cvss_enrichment') };
  }
}
