/**
 * Identity (users, projects, members, robot accounts) and the audit trail (hash-chained
 * events and signed checkpoints). Portable across SQLite and PostgreSQL: ids are text
 * (random UUIDs), timestamps ISO-8601 text, booleans 0/1 integers.
 */
import type { Kysely } from 'kysely';
import { dialectTypes } from './types.js';
import type { PortcullisMigration, SqlDialect } from './types.js';

// Migrations see the database as it was at the time they were written, so they are untyped.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export const identityAuditMigration: PortcullisMigration = { name: '0100_identity_audit', up };

async function up(db: AnyDb, dialect: SqlDialect): Promise<void> {
  const t = dialectTypes(dialect);
  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', t.byteText, (c) => c.notNull().unique())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('admin', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('credential_version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('projects')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', t.byteText, (c) => c.notNull().unique())
    .addColumn('public', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('project_members')
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('project_members_pk', ['project_id', 'user_id'])
    .execute();
  await db.schema.createIndex('project_members_user').on('project_members').column('user_id').execute();

  await db.schema
    .createTable('robots')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', t.byteText, (c) => c.notNull().unique())
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
    .addColumn('secret_hash', 'text', (c) => c.notNull())
    .addColumn('actions', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text')
    .addColumn('revoked', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('robots_project').on('robots').column('project_id').execute();

  await db.schema
    .createTable('audit_events')
    .addColumn('seq', t.int8, (c) => c.primaryKey())
    .addColumn('time', t.byteText, (c) => c.notNull())
    .addColumn('actor_type', 'text', (c) => c.notNull())
    .addColumn('actor_name', t.byteText)
    .addColumn('source', 'text')
    .addColumn('user_agent', 'text')
    .addColumn('action', t.byteText, (c) => c.notNull())
    .addColumn('repository', t.byteText)
    .addColumn('digest', 'text')
    .addColumn('tag', 'text')
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('reasons', 'text', (c) => c.notNull())
    .addColumn('detail', 'text')
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('audit_events_actor').on('audit_events').columns(['actor_name', 'seq']).execute();
  await db.schema.createIndex('audit_events_repository').on('audit_events').columns(['repository', 'seq']).execute();
  await db.schema.createIndex('audit_events_action').on('audit_events').columns(['action', 'seq']).execute();
  await db.schema.createIndex('audit_events_time').on('audit_events').column('time').execute();

  await db.schema
    .createTable('audit_checkpoints')
    .addColumn('seq', t.int8, (c) => c.primaryKey())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('time', 'text', (c) => c.notNull())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('algorithm', 'text', (c) => c.notNull())
    .addColumn('signature', 'text', (c) => c.notNull())
    .execute();
}

