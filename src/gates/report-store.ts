import type { Kysely } from 'kysely';
import type { ImageInventory } from '../analysis/types.js';
import type { Decision, EvaluationInput } from '../policy/index.js';
import type { ScanReport } from '../scan/types.js';
import type { GateTables } from './tables.js';

export interface StoredReport {
  repository: string;
  digest: string;
  report: ScanReport;
  inventory: ImageInventory;
  input: EvaluationInput;
  decision: Decision;
  createdAt: Date;
}

export interface ArtifactSummary {
  digest: string;
  createdAt: string;
  decision: { allowed: boolean; mode: string; violations: number };
  vulnerabilities: ScanReport['totals']['vulnerabilities'];
  secrets: number;
  misconfigurations: number;
  packages: number;
}

/** The report, inventory and push decision of every gated artifact, by repository and manifest digest. */
export class ReportStore {
  private readonly db: Kysely<GateTables>;

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  constructor(db: Kysely<any>) {
    this.db = db as Kysely<GateTables>;
  }

  async put(r: Omit<StoredReport, 'createdAt'>): Promise<void> {
    const values = {
      repository: r.repository,
      digest: r.digest,
      report: JSON.stringify(r.report),
      inventory: JSON.stringify(r.inventory),
      input: JSON.stringify(r.input),
      decision: JSON.stringify(r.decision),
      created_at: Date.now(),
    };
    await this.db
      .insertInto('gate_reports')
      .values(values)
      .onConflict((oc) =>
        oc.columns(['repository', 'digest']).doUpdateSet({ report: values.report, inventory: values.inventory, input: values.input, decision: values.decision, created_at: values.created_at }),
      )
      .execute();
  }

  async get(repository: string, digest: string): Promise<StoredReport | undefined> {
    const row = await this.db.selectFrom('gate_reports').selectAll().where('repository', '=', repository).where('digest', '=', digest).executeTakeFirst();
    if (!row) return undefined;
    return {
      repository: row.repository,
      digest: row.digest,
      report: JSON.parse(row.report) as ScanReport,
      inventory: JSON.parse(row.inventory) as ImageInventory,
      input: JSON.parse(row.input) as EvaluationInput,
      decision: JSON.parse(row.decision) as Decision,
      createdAt: new Date(Number(row.created_at)),
    };
  }

  /** The policy input alone (the pull gate's hot path: no report or inventory parsing). */
  async input(repository: string, digest: string): Promise<EvaluationInput | undefined> {
    const row = await this.db.selectFrom('gate_reports').select('input').where('repository', '=', repository).where('digest', '=', digest).executeTakeFirst();
    return row ? (JSON.parse(row.input) as EvaluationInput) : undefined;
  }

  /** Newest first. */
  async list(repository: string, limit = 100): Promise<ArtifactSummary[]> {
    const rows = await this.db
      .selectFrom('gate_reports')
      .select(['digest', 'report', 'decision', 'created_at'])
      .where('repository', '=', repository)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map((row) => {
      const report = JSON.parse(row.report) as ScanReport;
      const decision = JSON.parse(row.decision) as Decision;
      return {
        digest: row.digest,
        createdAt: new Date(Number(row.created_at)).toISOString(),
        decision: { allowed: decision.allowed, mode: decision.mode, violations: decision.violations.length },
        vulnerabilities: report.totals.vulnerabilities,
        secrets: report.secrets.length,
        misconfigurations: report.misconfigurations.length,
        packages: report.packages.total,
      };
    });
  }

  async delete(repository: string, digest: string): Promise<void> {
    await this.db.deleteFrom('gate_reports').where('repository', '=', repository).where('digest', '=', digest).execute();
  }
}
