/**
 * Webhook subscriptions per project and their recent deliveries. Rows of a deleted project (and of
 * a deleted webhook) go with it.
 */
import { dialectTypes, type PortcullisMigration } from '../metadata/migrations/types.js';

export const webhookMigration: PortcullisMigration = {
  name: '0600_webhooks',
  async up(db, dialect) {
    const t = dialectTypes(dialect);
    await db.schema
      .createTable('webhooks')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('url', 'text', (c) => c.notNull())
      /** The signing secret, AES-256-GCM sealed with the server's webhook key (it must be recoverable to sign). */
      .addColumn('secret_sealed', 'text', (c) => c.notNull())
      .addColumn('secret_hint', 'text', (c) => c.notNull())
      /** JSON array of event types. */
      .addColumn('events', t.json, (c) => c.notNull())
      .addColumn('enabled', 'integer', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', t.int8, (c) => c.notNull())
      .addColumn('updated_at', t.int8, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('webhooks_project').on('webhooks').column('project_id').execute();

    await db.schema
      .createTable('webhook_deliveries')
      .addColumn('seq', t.idType, t.id)
      .addColumn('id', 'text', (c) => c.notNull().unique())
      .addColumn('webhook_id', 'text', (c) => c.notNull().references('webhooks.id').onDelete('cascade'))
      .addColumn('event', 'text', (c) => c.notNull())
      /** The exact body sent (and signed) on every attempt. */
      .addColumn('body', t.json, (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('last_status', 'integer')
      .addColumn('last_error', 'text')
      .addColumn('created_at', t.int8, (c) => c.notNull())
      .addColumn('updated_at', t.int8, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('webhook_deliveries_webhook').on('webhook_deliveries').columns(['webhook_id', 'seq']).execute();
  },
};
