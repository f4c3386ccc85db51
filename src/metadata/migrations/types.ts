/**
 * What a migration module exports, and the column types that differ between the two
 * dialects, so one migration file serves both SQLite and PostgreSQL.
 */
import { sql, type ColumnDefinitionBuilder, type Kysely, type RawBuilder } from 'kysely';

export type SqlDialect = 'sqlite' | 'postgres';

export interface PortcullisMigration {
  /** Unique, and in the order of MIGRATIONS (e.g. `0003_audit`); it is recorded in the database forever. */
  name: string;
  // Kysely<any> is the convention for migrations: they run against whatever schema exists then.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  up(db: Kysely<any>, dialect: SqlDialect): Promise<void>;
}

export interface DialectTypes {
  /** Auto-increment integer primary key: call as `.addColumn('id', t.idType, t.id)`. */
  idType: 'integer' | 'serial';
  id: (col: ColumnDefinitionBuilder) => ColumnDefinitionBuilder;
  /**
   * Text compared and ordered by bytes (SQLite's default BINARY; PostgreSQL COLLATE "C"),
   * so names sort identically on both dialects and `name > last` pagination uses the index.
   */
  byteText: RawBuilder<unknown>;
  /** Opaque bytes (manifest content). */
  bytes: 'blob' | 'bytea';
  /** 64-bit integers: sizes, epoch milliseconds. */
  int8: 'bigint';
  /** JSON documents are stored as text (portable; never queried inside). */
  json: 'text';
}

export function dialectTypes(dialect: SqlDialect): DialectTypes {
  if (dialect === 'postgres') {
    return {
      idType: 'serial',
      id: (c) => c.primaryKey(),
      byteText: sql`text collate "C"`,
      bytes: 'bytea',
      int8: 'bigint',
      json: 'text',
    };
  }
  return {
    idType: 'integer',
    id: (c) => c.primaryKey().autoIncrement(),
    byteText: sql`text`,
    bytes: 'blob',
    int8: 'bigint',
    json: 'text',
  };
}
