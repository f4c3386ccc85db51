/**
 * Every schema migration of the shared database, in the order they run.
 *
 * Adding one (any module that keeps tables in the metadata database: identity, audit, jobs):
 *   1. create `src/<module>/migrations/NNNN_<what>.ts` (or here) exporting a `PortcullisMigration`
 *      whose `name` is the next free number, e.g. `0002_identity`; write it with kysely's
 *      schema builder and `dialectTypes(dialect)` so it runs on SQLite and PostgreSQL;
 *   2. append it to MIGRATIONS below (never reorder, rename or edit a released migration:
 *      the names already applied are recorded in the database's `kysely_migration` table).
 * checkMigrationList (run by every migrate, and by the tests) keeps names unique and ascending.
 */
import { Migrator, type Kysely, type Migration, type MigrationResultSet } from 'kysely';
import { registryMigration } from './0001_registry.js';
import { identityAuditMigration } from './0100_identity_audit.js';
import { jobsMigration } from '../../jobs/migration.js';
import { lifecycleMigration } from './0300_lifecycle.js';
import { policyMigration } from '../../policy/migration.js';
import { webhookMigration } from '../../webhooks/migration.js';
import { gatesMigration } from '../../gates/migration.js';
import type { PortcullisMigration, SqlDialect } from './types.js';

export type { PortcullisMigration, SqlDialect } from './types.js';
export { dialectTypes } from './types.js';

export const MIGRATIONS: readonly PortcullisMigration[] = [
  registryMigration,
  identityAuditMigration,
  jobsMigration,
  lifecycleMigration,
  policyMigration,
  gatesMigration,
  webhookMigration,
];

/** Throws if names repeat or are out of order (Kysely applies them in name order). */
export function checkMigrationList(list: readonly PortcullisMigration[]): void {
  const seen = new Set<string>();
  let previous = '';
  for (const m of list) {
    if (seen.has(m.name)) throw new Error(`migration ${m.name} is listed twice`);
    if (m.name <= previous) throw new Error(`migration ${m.name} is listed after ${previous}; names must ascend`);
    seen.add(m.name);
    previous = m.name;
  }
}

/** Applies every pending migration of `list` (default: MIGRATIONS); safe to call concurrently from several processes. */
export async function migrateToLatest(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>,
  dialect: SqlDialect,
  list: readonly PortcullisMigration[] = MIGRATIONS,
): Promise<void> {
  checkMigrationList(list);
  const migrator = new Migrator({
    db,
    provider: {
      async getMigrations(): Promise<Record<string, Migration>> {
        const out: Record<string, Migration> = {};
        for (const m of list) out[m.name] = { up: (d) => m.up(d, dialect) };
        return out;
      },
    },
    // Byte order, not localeCompare: the list is checked to ascend in exactly this order.
    nameComparator: (a, b) => (a < b ? -1 : a > b ? 1 : 0),
  });
  const result: MigrationResultSet = await migrator.migrateToLatest();
  if (result.error !== undefined) {
    const failed = result.results?.find((r) => r.status === 'Error');
    const cause = result.error instanceof Error ? result.error.message : JSON.stringify(result.error);
    throw new Error(`metadata migration ${failed?.migrationName ?? ''} failed: ${cause}`, { cause: result.error });
  }
}
