/**
 * A query compiled once and run with fresh parameters: the hot read path (tag → digest →
 * manifest) skips Kysely's builder and compiler on every request, and on PostgreSQL runs
 * as a named prepared statement.
 */
import { CompiledQuery, type Compilable } from 'kysely';
import type { MetadataDatabase } from './connect.js';

export class PreparedQuery<P extends readonly unknown[], R> {
  readonly #database: MetadataDatabase;
  readonly #sql: string;

  /** `query` is built with placeholder values; their count must equal the arity of P. */
  constructor(database: MetadataDatabase, query: Compilable<R>, arity: P['length']) {
    const compiled = query.compile();
    if (compiled.parameters.length !== arity) {
      throw new Error(`prepared query expects ${arity} parameters, compiled ${compiled.parameters.length}: ${compiled.sql}`);
    }
    this.#database = database;
    this.#sql = compiled.sql;
    database.markHot(compiled.sql);
  }

  async rows(...params: P): Promise<R[]> {
    const result = await this.#database.db.executeQuery<R>(CompiledQuery.raw(this.#sql, params as unknown as unknown[]));
    return result.rows;
  }

  async first(...params: P): Promise<R | undefined> {
    return (await this.rows(...params))[0];
  }
}
