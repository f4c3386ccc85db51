import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { IdentityStore } from '../identity/store.js';
import { sqliteTestDb } from '../identity/testdb.js';
import { jobsMigration } from '../jobs/migration.js';
import { JobQueue } from '../jobs/queue.js';
import { freePort } from '../testing/net.js';
import { DELIVERY_QUEUE, SecretBox, createWebhookServices, loadOrCreateWebhookKey, webhookMigration, type WebhookServices } from './index.js';
import { startReceiver, verifySignature, type Receiver } from './testing.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
let db: Kysely<any>;
let queue: JobQueue;
let services: WebhookServices;
let receiver: Receiver;
let secret: string | undefined;
let projectId: string;
let otherId: string;
let dir: string;
let box: SecretBox;

const event = (type: 'push' | 'denied' = 'push', project = 'team') => ({ type, project, repository: `${project}/app`, digest: 'sha256:abc', tag: 'v1', actor: 'alice', time: '2026-01-01T00:00:00.000Z' });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'portcullis-webhooks-'));
  receiver = await startReceiver(() => secret);
});
afterAll(async () => {
  await receiver.close();
  await rm(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  db = await sqliteTestDb();
  await jobsMigration.up(db, 'sqlite');
  await webhookMigration.up(db, 'sqlite');
  const identity = new IdentityStore(db);
  projectId = (await identity.createProject({ name: 'team' })).id;
  otherId = (await identity.createProject({ name: 'other' })).id;
  queue = new JobQueue(db, 'sqlite');
  box = new SecretBox(randomBytes(32));
  services = createWebhookServices(db, queue, box, { maxAttempts: 3, pollMs: 20, backoffMs: () => 10, keepDeliveries: 3 });
  receiver.received.length = 0;
});
afterEach(async () => {
  await services.worker.stop();
  await db.destroy();
});

async function settled(): Promise<void> {
  // Until no delivery job is queued or running.
  for (;;) {
    const live = [...(await queue.list({ queue: DELIVERY_QUEUE, state: 'queued' })), ...(await queue.list({ queue: DELIVERY_QUEUE, state: 'running' }))];
    if (live.length === 0) return;
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('webhook deliveries', () => {
  it('signs the body, retries a 503, and keeps the delivery history', async () => {
    const { webhook, secret: s } = await services.store.create(projectId, { url: receiver.url, events: ['push', 'denied'], createdBy: 'alice' });
    secret = s;
    await services.store.create(projectId, { url: receiver.url, events: ['denied'], createdBy: 'alice' });
    await services.store.create(projectId, { url: receiver.url, events: ['push'], enabled: false, createdBy: 'alice' });
    await services.store.create(otherId, { url: receiver.url, events: ['push'], createdBy: 'alice' });
    receiver.fail(1, 503);
    services.worker.start();
    const ids = await services.emitter.emit(event('push'));
    expect(ids).toHaveLength(1);
    const got = await receiver.waitFor(2);
    await settled();
    expect(got.map((r) => r.status)).toEqual([503, 204]);
    for (const r of got) {
      expect(r.signatureValid).toBe(true);
      expect(r.headers['x-portcullis-event']).toBe('push');
      expect(r.headers['x-portcullis-delivery']).toBe(ids[0]);
      expect(r.headers['content-type']).toBe('application/json');
    }
    // The same signed body both times, carrying the delivery id.
    expect(got[0]!.body).toBe(got[1]!.body);
    expect(JSON.parse(got[1]!.body)).toEqual({ id: ids[0], ...event('push') });
    const history = await services.store.deliveries(webhook.id);
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ id: ids[0], event: 'push', state: 'delivered', attempts: 2, lastStatus: 204 });
    // With another secret the signature does not verify.
    secret = 'not-the-secret-at-all';
    expect(verifySignature(secret, got[1]!.body, got[1]!.headers['x-portcullis-signature'])).toBe(false);
  });

  it('does not retry a 4xx, and gives up on a dead receiver after maxAttempts', async () => {
    const gone = await services.store.create(projectId, { url: receiver.url, events: ['denied'], createdBy: 'alice' });
    secret = gone.secret;
    receiver.fail(1, 410);
    services.worker.start();
    await services.emitter.emit(event('denied'));
    await receiver.waitFor(1);
    await settled();
    expect(receiver.received).toHaveLength(1);
    expect((await services.store.deliveries(gone.webhook.id))[0]).toMatchObject({ state: 'failed', attempts: 1, lastStatus: 410 });

    const dead = await services.store.create(projectId, { url: `http://127.0.0.1:${await freePort()}/x`, events: ['push'], createdBy: 'alice' });
    await services.emitter.emit(event('push'));
    await settled();
    const [d] = await services.store.deliveries(dead.webhook.id);
    expect(d).toMatchObject({ state: 'failed', attempts: 3 });
    expect(d?.lastStatus).toBeUndefined();
    expect(d?.lastError).toMatch(/ECONNREFUSED|connect/);
  });

  it('delivers what was queued before a restart', async () => {
    const { secret: s } = await services.store.create(projectId, { url: receiver.url, events: ['push'], createdBy: 'alice' });
    secret = s;
    await services.emitter.emit(event('push'));
    await services.worker.stop();
    expect(receiver.received).toHaveLength(0);
    // A new process: new services over the same database and key.
    const again = createWebhookServices(db, queue, box, { pollMs: 20, backoffMs: () => 10 });
    again.worker.start();
    await receiver.waitFor(1);
    await again.worker.stop();
    expect(receiver.received[0]!.signatureValid).toBe(true);
  });

  it('keeps only the last deliveries per webhook, and drops them with the webhook', async () => {
    const { webhook } = await services.store.create(projectId, { url: receiver.url, events: ['push'], createdBy: 'alice' });
    for (let i = 0; i < 5; i++) await services.emitter.emit(event('push'));
    expect(await services.store.deliveries(webhook.id)).toHaveLength(3);
    await services.store.delete(projectId, webhook.id);
    expect(await db.selectFrom('webhook_deliveries').selectAll().execute()).toEqual([]);
  });
});

describe('webhook subscriptions', () => {
  it('validates URLs, events and secrets, and stores the secret sealed', async () => {
    await expect(services.store.create(projectId, { url: 'ftp://x/', events: ['push'], createdBy: 'a' })).rejects.toMatchObject({ code: 'INVALID', field: 'url' });
    await expect(services.store.create(projectId, { url: 'http://u:p@x/', events: ['push'], createdBy: 'a' })).rejects.toMatchObject({ field: 'url' });
    await expect(services.store.create(projectId, { url: 'http://x/', events: ['nope'], createdBy: 'a' })).rejects.toMatchObject({ code: 'INVALID', field: 'events' });
    await expect(services.store.create(projectId, { url: 'http://x/', events: [], createdBy: 'a' })).rejects.toMatchObject({ field: 'events' });
    await expect(services.store.create(projectId, { url: 'http://x/', events: ['push'], secret: 'short', createdBy: 'a' })).rejects.toMatchObject({ field: 'secret' });
    const { webhook, secret: s } = await services.store.create(projectId, { url: 'https://hooks.example/x', events: ['reevaluated', 'push'], createdBy: 'a' });
    expect(s).toMatch(/^whsec_/);
    expect(webhook.events).toEqual(['push', 'reevaluated']);
    const row = await db.selectFrom('webhooks').selectAll().executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(s);
    const { secret: rotated } = await services.store.update(projectId, webhook.id, { secret: true, enabled: false });
    expect(rotated).toMatch(/^whsec_/);
    expect(rotated).not.toBe(s);
    expect((await services.store.get(projectId, webhook.id))?.enabled).toBe(false);
    await expect(services.store.update(otherId, webhook.id, { enabled: true })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('keeps the sealing key in the data directory, private to the server', async () => {
    const a = await loadOrCreateWebhookKey(dir);
    const b = await loadOrCreateWebhookKey(dir);
    expect(b.open(a.seal('s3cret-value'))).toBe('s3cret-value');
    expect((await stat(join(dir, 'webhook-secret.key'))).mode & 0o777).toBe(0o600);
    expect((await readFile(join(dir, 'webhook-secret.key'), 'utf8')).trim()).toMatch(/^[0-9a-f]{64}$/);
    expect(() => new SecretBox(randomBytes(32)).open(a.seal('x'))).toThrow();
    // Processes starting together agree on one key.
    const racers = await Promise.all(Array.from({ length: 5 }, () => loadOrCreateWebhookKey(join(dir, 'race'))));
    const sealed = racers[0]!.seal('shared');
    for (const r of racers) expect(r.open(sealed)).toBe('shared');
  });
});
