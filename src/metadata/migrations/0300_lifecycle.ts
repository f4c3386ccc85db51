/**
 * Image lifecycle (GC, retention, immutability, quotas).
 *
 * blobs.state/marked_at/touched_at: GC marks a blob `deleting` with a conditional UPDATE,
 * deletes it from storage, then removes the row only if still `deleting`; uploads and mounts
 * refresh touched_at (and wait while a blob is `deleting`), so a blob being written again is
 * never collected. manifests.last_pulled_at feeds "not pulled in D days" retention.
 */
import { sql } from 'kysely';
import type { PortcullisMigration } from './types.js';
import { dialectTypes } from './types.js';

export const lifecycleMigration: PortcullisMigration = {
  name: '0300_lifecycle',
  async up(db, dialect) {
    const t = dialectTypes(dialect);

    await db.schema
      .alterTable('blobs')
      .addColumn('state', 'text', (c) => c.notNull().defaultTo('live'))
      .execute();
    await db.schema.alterTable('blobs').addColumn('marked_at', t.int8).execute();
    await db.schema.alterTable('blobs').addColumn('touched_at', t.int8, (c) => c.notNull().defaultTo(0)).execute();
    await sql`update blobs set touched_at = created_at`.execute(db);
    await db.schema.createIndex('blobs_touched_at').on('blobs').column('touched_at').execute();
    // Resuming deletions a crashed GC left behind; few rows ever have this state.
    await db.schema.createIndex('blobs_deleting').on('blobs').column('marked_at').where(sql.ref('state'), '=', 'deleting').execute();
    // GC scans for old links.
    await db.schema.createIndex('repository_blobs_linked_at').on('repository_blobs').column('linked_at').execute();

    await db.schema.alterTable('manifests').addColumn('last_pulled_at', t.int8).execute();

    await db.schema
      .createTable('immutable_tag_rules')
      .addColumn('id', t.idType, t.id)
      .addColumn('repository_pattern', t.byteText, (c) => c.notNull())
      .addColumn('tag_pattern', t.byteText, (c) => c.notNull())
      .addColumn('created_at', t.int8, (c) => c.notNull())
      .addUniqueConstraint('immutable_tag_rules_patterns', ['repository_pattern', 'tag_pattern'])
      .execute();

    await db.schema
      .createTable('retention_policies')
      .addColumn('id', t.idType, t.id)
      .addColumn('repository_pattern', t.byteText, (c) => c.notNull())
      .addColumn('tag_pattern', t.byteText, (c) => c.notNull())
      .addColumn('keep_last', 'integer')
      .addColumn('untagged_days', 'integer')
      .addColumn('unpulled_days', 'integer')
      .addColumn('created_at', t.int8, (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('project_quotas')
      .addColumn('project', t.byteText, (c) => c.primaryKey())
      .addColumn('limit_bytes', t.int8, (c) => c.notNull())
      .addColumn('updated_at', t.int8, (c) => c.notNull())
      .execute();
  },
};
