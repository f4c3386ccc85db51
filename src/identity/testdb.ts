/** Test databases with the identity/audit schema: in-memory SQLite, or a fresh PostgreSQL database. */
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { identityAuditMigration } from '../metadata/migrations/0100_identity_audit.js';
import type { PostgresServer } from '../testing/postgres.js';
import { PasswordHasher } from './password.js';

/** Cheap argon2id parameters so tests stay fast; production uses DEFAULT_HASH_PARAMS. */
export const testHasher = (): PasswordHasher => new PasswordHasher({ memoryCost: 256, timeCost: 1, parallelism: 1 });

export async function sqliteTestDb<T>(): Promise<Kysely<T>> {
  const db = new Kysely<T>({ dialect: new SqliteDialect({ database: new Database(':memory:') }) });
  await identityAuditMigration.up(db, 'sqlite');
  return db;
}

let counter = 0;

export async function postgresTestDb<T>(server: PostgresServer, prefix: string): Promise<Kysely<T>> {
  counter += 1;
  const url = await server.createDatabase(`${prefix}_${process.pid}_${counter}`);
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  // Idle connections are cut when the throwaway server stops; that is not a test failure.
  pool.on('error', () => undefined);
  const db = new Kysely<T>({ dialect: new PostgresDialect({ pool }) });
  await identityAuditMigration.up(db, 'postgres');
  return db;
}
