/** The gates' report table (src/gates) as re-evaluation's ArtifactStore. */
import type { Kysely } from 'kysely';
import { ReportStore } from '../gates/report-store.js';
import type { GateTables } from '../gates/tables.js';
import type { ArtifactKey, ArtifactStore, StoredArtifact } from './types.js';

export class GateArtifactStore implements ArtifactStore {
  private readonly db: Kysely<GateTables>;
  private readonly reports: ReportStore;

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  constructor(db: Kysely<any>) {
    this.db = db as Kysely<GateTables>;
    this.reports = new ReportStore(db);
  }

  async keys(cursor: string | undefined, limit: number): Promise<{ keys: ArtifactKey[]; next?: string }> {
    let q = this.db.selectFrom('gate_reports').select(['id', 'repository', 'digest']).orderBy('id').limit(limit);
    if (cursor !== undefined) q = q.where('id', '>', Number(cursor));
    const rows = await q.execute();
    const last = rows.at(-1);
    const keys = rows.map((r) => ({ repository: r.repository, digest: r.digest }));
    return rows.length === limit && last ? { keys, next: String(last.id) } : { keys };
  }

  async get(repository: string, digest: string): Promise<StoredArtifact | undefined> {
    return this.reports.get(repository, digest);
  }

  async updateFindings(repository: string, digest: string, update: Pick<StoredArtifact, 'report' | 'input'>): Promise<void> {
    // In place, so the row keeps its id and push time (listings stay in push order).
    await this.db
      .updateTable('gate_reports')
      .set({ report: JSON.stringify(update.report), input: JSON.stringify(update.input) })
      .where('repository', '=', repository)
      .where('digest', '=', digest)
      .execute();
  }
}
