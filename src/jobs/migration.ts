import { sql } from 'kysely';
import { dialectTypes, type PortcullisMigration } from '../metadata/migrations/types.js';

/** The job queue's table in the shared metadata database. */
export const jobsMigration: PortcullisMigration = {
  name: '0200_jobs',
  async up(db, dialect) {
    const t = dialectTypes(dialect);
    await db.schema
      .createTable('jobs')
      .addColumn('id', t.idType, t.id)
      .addColumn('queue', t.byteText, (c) => c.notNull())
      /** Jobs with the same key in the same queue are one job while it is queued or running. */
      .addColumn('key', t.byteText)
      .addColumn('payload', t.json, (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('max_attempts', 'integer', (c) => c.notNull())
      .addColumn('run_after', t.int8, (c) => c.notNull())
      .addColumn('locked_by', 'text')
      .addColumn('locked_until', t.int8)
      .addColumn('last_error', 'text')
      .addColumn('result', t.json)
      .addColumn('created_at', t.int8, (c) => c.notNull())
      .addColumn('updated_at', t.int8, (c) => c.notNull())
      .execute();
    // Claiming: the oldest runnable job of a queue.
    await db.schema.createIndex('jobs_claim').on('jobs').columns(['queue', 'state', 'run_after']).execute();
    // One live job per key: a partial unique index (both dialects support WHERE on indexes).
    await db.schema
      .createIndex('jobs_live_key')
      .on('jobs')
      .columns(['queue', 'key'])
      .unique()
      .where(sql.ref('state'), 'in', sql`('queued', 'running')`)
      .execute();
  },
};
