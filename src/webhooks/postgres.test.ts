import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IdentityStore } from '../identity/store.js';
import { postgresTestDb } from '../identity/testdb.js';
import { jobsMigration } from '../jobs/migration.js';
import { JobQueue } from '../jobs/queue.js';
import { startPostgres, type PostgresServer } from '../testing/postgres.js';
import { DELIVERY_QUEUE, SecretBox, WebhookEmitter, WebhookStore, webhookMigration } from './index.js';

let pg: PostgresServer;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
let db: Kysely<any>;

beforeAll(async () => {
  pg = await startPostgres();
  db = await postgresTestDb(pg, 'webhooks');
  await jobsMigration.up(db, 'postgres');
  await webhookMigration.up(db, 'postgres');
}, 60_000);
afterAll(async () => {
  await db?.destroy();
  await pg?.stop();
});

describe('webhooks on PostgreSQL', () => {
  it('stores subscriptions and a bounded delivery history, and queues the jobs', async () => {
    const project = await new IdentityStore(db).createProject({ name: 'team' });
    const store = new WebhookStore(db, new SecretBox(randomBytes(32)), { keepDeliveries: 3 });
    const queue = new JobQueue(db, 'postgres');
    const { webhook, secret } = await store.create(project.id, { url: 'https://hooks.example/a', events: ['push'], createdBy: 'alice' });
    await store.create(project.id, { url: 'https://hooks.example/b', events: ['pull'], createdBy: 'alice' });
    expect((await store.subscribers('team', 'push')).map((w) => w.id)).toEqual([webhook.id]);
    const emitter = new WebhookEmitter(store, queue);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(...(await emitter.emit({ type: 'push', project: 'team', repository: 'team/app', time: new Date().toISOString() })));
    const kept = await store.deliveries(webhook.id);
    expect(kept.map((d) => d.id)).toEqual(ids.slice(2).reverse());
    const target = await store.deliveryTarget(ids[4]!);
    expect(target).toMatchObject({ url: 'https://hooks.example/a', secret, enabled: true });
    expect(JSON.parse(target!.body)).toMatchObject({ id: ids[4], type: 'push' });
    await store.recordAttempt(ids[4]!, { state: 'delivered', attempts: 1, status: 200 });
    expect((await store.deliveries(webhook.id, 1))[0]).toMatchObject({ state: 'delivered', attempts: 1, lastStatus: 200 });
    expect((await queue.list({ queue: DELIVERY_QUEUE })).length).toBe(5);
    await store.delete(project.id, webhook.id);
    expect(await store.deliveries(webhook.id)).toEqual([]);
  });
});
