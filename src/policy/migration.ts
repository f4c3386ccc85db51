/**
 * Policies (versioned, per project and the system-wide override) and the trusted signing keys of
 * each project. Rows of a deleted project go with it (foreign keys cascade on both dialects).
 */
import { dialectTypes, type PortcullisMigration } from '../metadata/migrations/types.js';

export const policyMigration: PortcullisMigration = {
  name: '0400_policy',
  async up(db, dialect) {
    const t = dialectTypes(dialect);
    await db.schema
      .createTable('policy_versions')
      .addColumn('id', t.idType, t.id)
      /** `system`, or `project:<project id>`: one version sequence per scope. */
      .addColumn('scope', t.byteText, (c) => c.notNull())
      /** Null for the system policy; set so that deleting the project deletes its policies. */
      .addColumn('project_id', 'text', (c) => c.references('projects.id').onDelete('cascade'))
      .addColumn('version', 'integer', (c) => c.notNull())
      /** The validated document (defaults filled in), JSON. */
      .addColumn('document', t.json, (c) => c.notNull())
      /** The text as submitted (YAML keeps its comments), when it was submitted as text. */
      .addColumn('source', 'text')
      .addColumn('author', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addUniqueConstraint('policy_versions_scope_version', ['scope', 'version'])
      .execute();

    await db.schema
      .createTable('trusted_keys')
      .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('name', t.byteText, (c) => c.notNull())
      .addColumn('key_id', 'text', (c) => c.notNull())
      /** SPKI PEM, normalised. */
      .addColumn('public_key', 'text', (c) => c.notNull())
      .addColumn('added_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('trusted_keys_pk', ['project_id', 'name'])
      .execute();
  },
};
