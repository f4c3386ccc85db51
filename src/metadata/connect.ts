/**
 * Opens the shared metadata database (SQLite or PostgreSQL) as a Kysely instance. Other
 * modules (identity, audit, jobs) keep their tables in the same database through this.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import {
  Kysely,
  PostgresDialect,
  SqliteAdapter,
  SqliteDialect,
  type DialectAdapter,
  type PostgresPool,
  type PostgresPoolClient,
  type SqliteDatabase,
} from 'kysely';
import pg from 'pg';
import {
  metadataConfigSchema,
  type MetadataConfig,
} from './config.js';
import type { SqlDialect } from './migrations/types.js';
import type { RegistryTables } from './schema.js';

export interface MetadataDatabase {
  readonly dialect: SqlDialect;
  /** Typed for the registry's tables; other modules use `db.withTables<TheirTables>()`. */
  readonly db: Kysely<RegistryTables>;
  /**
   * Marks SQL text as hot: on PostgreSQL it becomes a named prepared statement on each
   * connection (parsed and planned once). SQLite caches every statement anyway.
   */
  markHot(sqlText: string): void;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** Errors of idle pooled PostgreSQL connections (server restart, network); without a handler they would crash the process. */
  onPoolError?: (err: Error) => void;
}

export async function openMetadataDatabase(config: MetadataConfig, options: OpenOptions = {}): Promise<MetadataDatabase> {
  const parsed = metadataConfigSchema.parse(config);
  if (parsed.driver === 'sqlite') return openSqlite(parsed.path, parsed.busyTimeoutMs);
  return openPostgres(parsed, options);
}

const SQLITE_STATEMENT_CACHE = 256;

/**
 * SQLite does roll back DDL, but Kysely's adapter says it does not, so its Migrator would
 * run migrations outside a transaction and without a lock: two processes starting at once
 * would both apply them. Declared transactional, the Migrator reads the applied list and
 * migrates inside one BEGIN IMMEDIATE transaction, which serializes the processes.
 */
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

class PortcullisSqliteDialect extends SqliteDialect {
  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}

function openSqlite(path: string, busyTimeoutMs: number): MetadataDatabase {
  if (path !== ':memory:' && !path.startsWith('file:')) mkdirSync(dirname(path), { recursive: true });
  const sqlite = new Database(path);
  try {
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma(`busy_timeout = ${busyTimeoutMs}`);
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
  } catch (err) {
    sqlite.close();
    throw err;
  }
  // Kysely prepares every query anew; better-sqlite3 statements are reusable, and Kysely's
  // single-connection mutex guarantees one use at a time, so a small LRU saves the re-parse.
  const cache = new Map<string, Database.Statement>();
  const database: SqliteDatabase = {
    close: () => sqlite.close(),
    prepare(sqlText) {
      // A deferred transaction that reads first and writes later can fail with SQLITE_BUSY
      // without waiting when another process wrote in between; IMMEDIATE takes the write
      // lock up front and honours busy_timeout.
      const text = sqlText === 'begin' ? 'begin immediate' : sqlText;
      let stmt = cache.get(text);
      if (stmt) {
        cache.delete(text);
      } else {
        stmt = sqlite.prepare(text);
        if (cache.size >= SQLITE_STATEMENT_CACHE) {
          const oldest = cache.keys().next();
          if (oldest.done !== true) cache.delete(oldest.value);
        }
      }
      cache.set(text, stmt);
      return stmt;
    },
  };
  const db = new Kysely<RegistryTables>({ dialect: new PortcullisSqliteDialect({ database }) });
  return {
    dialect: 'sqlite',
    db,
    markHot: () => undefined,
    close: () => db.destroy(),
  };
}

type PostgresConfig = Extract<ReturnType<typeof metadataConfigSchema.parse>, { driver: 'postgres' }>;

/** The url with the separately given fields applied on top (pg itself would let the url win). */
export function postgresConnectionString(c: PostgresConfig): string {
  const url = new URL(c.url ?? 'postgres://localhost/');
  if (c.host !== undefined) url.hostname = c.host;
  if (c.port !== undefined) url.port = String(c.port);
  if (c.user !== undefined) url.username = c.user;
  if (c.password !== undefined) url.password = c.password;
  if (c.database !== undefined) url.pathname = `/${c.database}`;
  return url.toString();
}

function openPostgres(c: PostgresConfig, options: OpenOptions): MetadataDatabase {
  const pool = new pg.Pool({
    connectionString: postgresConnectionString(c),
    max: c.poolSize,
    ...(c.ssl === undefined ? {} : { ssl: c.ssl }),
    ...(c.statementTimeoutMs > 0 ? { statement_timeout: c.statementTimeoutMs } : {}),
  });
  pool.on('error', (err) => options.onPoolError?.(err));

  const hot = new Map<string, string>();
  const wrappers = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  const wrap = (client: pg.PoolClient): PostgresPoolClient => {
    let w = wrappers.get(client);
    if (!w) {
      const query = ((textOrCursor: unknown, parameters?: readonly unknown[]): unknown => {
        if (typeof textOrCursor !== 'string') return client.query(textOrCursor as pg.Submittable);
        const name = hot.get(textOrCursor);
        const values = parameters === undefined ? [] : [...parameters];
        return name === undefined
          ? client.query(textOrCursor, values)
          : client.query({ name, text: textOrCursor, values });
      }) as PostgresPoolClient['query'];
      w = { query, release: () => client.release() };
      wrappers.set(client, w);
    }
    return w;
  };
  const kyselyPool: PostgresPool = {
    connect: async () => wrap(await pool.connect()),
    end: () => pool.end(),
  };
  const db = new Kysely<RegistryTables>({ dialect: new PostgresDialect({ pool: kyselyPool }) });
  return {
    dialect: 'postgres',
    db,
    markHot(sqlText) {
      if (!hot.has(sqlText)) hot.set(sqlText, `portcullis_${hot.size + 1}`);
    },
    close: () => db.destroy(),
  };
}
