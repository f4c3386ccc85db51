/**
 * The registry's tables. Keys are byte-ordered text (see dialectTypes) and every child
 * table cascades from its parent, so deleting a repository or a manifest cannot leave
 * orphans behind on either dialect (SQLite runs with foreign_keys=ON).
 */
import { sql } from 'kysely';
import type { PortcullisMigration } from './types.js';
import { dialectTypes } from './types.js';

export const registryMigration: PortcullisMigration = {
  name: '0001_registry',
  async up(db, dialect) {
    const t = dialectTypes(dialect);

    await db.schema
      .createTable('repositories')
      .addColumn('id', t.idType, t.id)
      .addColumn('name', t.byteText, (c) => c.notNull().unique())
      .addColumn('created_at', t.int8, (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('blobs')
      .addColumn('digest', t.byteText, (c) => c.primaryKey())
      .addColumn('size', t.int8, (c) => c.notNull())
      .addColumn('created_at', t.int8, (c) => c.notNull())
      .execute();
    // GC scans for old blobs.
    await db.schema.createIndex('blobs_created_at').on('blobs').column('created_at').execute();

    await db.schema
      .createTable('repository_blobs')
      .addColumn('repository_id', 'integer', (c) => c.notNull().references('repositories.id').onDelete('cascade'))
      .addColumn('digest', t.byteText, (c) => c.notNull().references('blobs.digest').onDelete('cascade'))
      .addColumn('linked_at', t.int8, (c) => c.notNull())
      .addPrimaryKeyConstraint('repository_blobs_pk', ['repository_id', 'digest'])
      .execute();
    // "Is this blob linked anywhere" (GC) and forgetBlob's cascade.
    await db.schema.createIndex('repository_blobs_digest').on('repository_blobs').column('digest').execute();

    await db.schema
      .createTable('manifests')
      .addColumn('repository_id', 'integer', (c) => c.notNull().references('repositories.id').onDelete('cascade'))
      .addColumn('digest', t.byteText, (c) => c.notNull())
      .addColumn('media_type', 'text', (c) => c.notNull())
      .addColumn('artifact_type', 'text')
      .addColumn('subject', t.byteText)
      .addColumn('config_digest', t.byteText)
      .addColumn('annotations', t.json)
      .addColumn('size', t.int8, (c) => c.notNull())
      .addColumn('content', t.bytes, (c) => c.notNull())
      .addColumn('created_at', t.int8, (c) => c.notNull())
      .addPrimaryKeyConstraint('manifests_pk', ['repository_id', 'digest'])
      .execute();
    // The referrers API: subject (+ artifactType) within a repository; most manifests have no subject.
    await db.schema
      .createIndex('manifests_subject')
      .on('manifests')
      .columns(['repository_id', 'subject', 'artifact_type'])
      .where('subject', 'is not', null)
      .execute();

    await db.schema
      .createTable('manifest_references')
      .addColumn('repository_id', 'integer', (c) => c.notNull())
      .addColumn('manifest_digest', t.byteText, (c) => c.notNull())
      .addColumn('digest', t.byteText, (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull().check(sqlKindCheck()))
      .addPrimaryKeyConstraint('manifest_references_pk', ['repository_id', 'manifest_digest', 'digest'])
      .addForeignKeyConstraint(
        'manifest_references_manifest_fk',
        ['repository_id', 'manifest_digest'],
        'manifests',
        ['repository_id', 'digest'],
        (fk) => fk.onDelete('cascade'),
      )
      .execute();
    // parentsOf (digest + repository) and GC's "does any manifest reference this blob" (digest).
    await db.schema
      .createIndex('manifest_references_digest')
      .on('manifest_references')
      .columns(['digest', 'repository_id'])
      .execute();

    await db.schema
      .createTable('tags')
      .addColumn('repository_id', 'integer', (c) => c.notNull())
      .addColumn('name', t.byteText, (c) => c.notNull())
      .addColumn('digest', t.byteText, (c) => c.notNull())
      .addColumn('updated_at', t.int8, (c) => c.notNull())
      .addPrimaryKeyConstraint('tags_pk', ['repository_id', 'name'])
      .addForeignKeyConstraint('tags_manifest_fk', ['repository_id', 'digest'], 'manifests', ['repository_id', 'digest'], (fk) =>
        fk.onDelete('cascade'),
      )
      .execute();
    // tagsOf and the cascade from manifests.
    await db.schema.createIndex('tags_digest').on('tags').columns(['repository_id', 'digest']).execute();

    await db.schema
      .createTable('uploads')
      .addColumn('id', t.byteText, (c) => c.primaryKey())
      .addColumn('repository_id', 'integer', (c) => c.notNull().references('repositories.id').onDelete('cascade'))
      .addColumn('started_at', t.int8, (c) => c.notNull())
      .addColumn('updated_at', t.int8, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('uploads_updated_at').on('uploads').column('updated_at').execute();
  },
};

function sqlKindCheck() {
  return sql`kind in ('blob', 'manifest')`;
}
