/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return -- response bodies and the OpenAPI document are untyped JSON */
import { randomBytes } from 'node:crypto';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { es256Verifier } from '../../audit/signing.js';
import { jobsMigration } from '../../jobs/migration.js';
import { JobQueue } from '../../jobs/queue.js';
import { SecretBox, createWebhookServices, webhookMigration, type WebhookServices } from '../../webhooks/index.js';
import { startReceiver, type Receiver } from '../../webhooks/testing.js';
import { createHarness, type Harness } from '../auth/harness.js';
import { errorHandler } from './errors.js';
import { API_ROUTES } from './index.js';
import { openapiDocument } from './openapi.js';
import type { ApiDeps } from './route.js';
import { WEBHOOK_ROUTES } from './webhooks.js';
import { openapiChecker } from './testing/conformance.js';

const basic = (u: string): Record<string, string> => ({ authorization: `Basic ${Buffer.from(`${u}:${u}-password`).toString('base64')}` });
const ADMIN = basic('admin');
const ALICE = basic('alice'); // projectAdmin of team
const GUS = basic('gus'); // guest of team
const NORA = basic('nora'); // no membership

let h: Harness;
let app: FastifyInstance;
let services: WebhookServices;
let receiver: Receiver;
let secret: string | undefined;
let doc: any;
const { call } = openapiChecker(() => app, () => doc);

async function mount(deps: ApiDeps): Promise<FastifyInstance> {
  const a = Fastify();
  await a.register(
    async (api) => {
      api.setErrorHandler(errorHandler);
      for (const route of WEBHOOK_ROUTES) api.route({ method: route.method, url: route.path, handler: (req, reply) => route.handler(req, reply, deps) });
    },
    { prefix: '/api/v1' },
  );
  return a;
}

beforeAll(async () => {
  h = await createHarness();
  await jobsMigration.up(h.db, 'sqlite');
  await webhookMigration.up(h.db, 'sqlite');
  services = createWebhookServices(h.db, new JobQueue(h.db, 'sqlite'), new SecretBox(randomBytes(32)), { pollMs: 20, backoffMs: () => 10 });
  services.worker.start();
  receiver = await startReceiver(() => secret);
  app = await mount({ auth: h.auth, audit: h.audit, auditVerifiers: [es256Verifier(h.key.publicKey)], webhooks: services });
  for (const [name, admin] of [['admin', true], ['alice', false], ['gus', false], ['nora', false]] as const) {
    await h.identity.createUser({ name, password: `${name}-password`, admin });
  }
  await h.identity.createProject({ name: 'team' });
  await h.identity.createProject({ name: 'open', public: true });
  await h.identity.addMember('team', 'alice', 'projectAdmin');
  await h.identity.addMember('team', 'gus', 'guest');
  doc = openapiDocument(API_ROUTES, 'test');
});
afterAll(async () => {
  await services?.worker.stop();
  await receiver?.close();
  await app?.close();
  await h?.close();
});

describe('webhooks API', () => {
  it('is documented in the OpenAPI document, for project administrators', () => {
    const ops = Object.values<any>(doc.paths)
      .flatMap((item) => Object.values<any>(item))
      .filter((o) => o.tags[0] === 'webhooks');
    expect(ops.map((o) => o.operationId).sort()).toEqual(['createWebhook', 'deleteWebhook', 'getWebhook', 'listWebhookDeliveries', 'listWebhooks', 'updateWebhook']);
    expect(ops.every((o) => o['x-access'] === 'project-admin')).toBe(true);
  });

  it('creates a webhook, shows its secret once, delivers signed events and lists the deliveries', async () => {
    const created = await call('POST', '/projects/:project/webhooks', '/projects/team/webhooks', ALICE, { url: receiver.url, events: ['push', 'reevaluated'] });
    expect(created.statusCode).toBe(201);
    const hook = created.json();
    expect(hook).toMatchObject({ url: receiver.url, events: ['push', 'reevaluated'], enabled: true, created_by: 'alice' });
    secret = hook.secret;
    expect(secret).toMatch(/^whsec_/);

    const list = await call('GET', '/projects/:project/webhooks', '/projects/team/webhooks', ALICE);
    expect(list.json()).toHaveLength(1);
    expect(list.body).not.toContain(secret);
    expect(list.json()[0].secret_hint).toMatch(/^sha256:[0-9a-f]{12}$/);

    receiver.fail(1, 503);
    await services.emitter.emit({ type: 'push', project: 'team', repository: 'team/app', tag: 'v1', digest: 'sha256:1', time: new Date().toISOString() });
    const got = await receiver.waitFor(2);
    expect(got.map((r) => [r.status, r.signatureValid])).toEqual([[503, true], [204, true]]);
    let deliveries: any[] = [];
    for (let i = 0; i < 500 && deliveries[0]?.state !== 'delivered'; i++) {
      deliveries = (await call('GET', '/projects/:project/webhooks/:id/deliveries', `/projects/team/webhooks/${hook.id}/deliveries`, ALICE)).json();
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(deliveries).toEqual([expect.objectContaining({ id: got[1]!.headers['x-portcullis-delivery'], event: 'push', state: 'delivered', attempts: 2, last_status: 204 })]);

    const rotated = await call('PATCH', '/projects/:project/webhooks/:id', `/projects/team/webhooks/${hook.id}`, ALICE, { rotate_secret: true, events: ['denied'] });
    expect(rotated.statusCode).toBe(200);
    expect(rotated.json().secret).toMatch(/^whsec_/);
    expect(rotated.json().secret).not.toBe(secret);
    expect(rotated.json().events).toEqual(['denied']);
    const plain = await call('PATCH', '/projects/:project/webhooks/:id', `/projects/team/webhooks/${hook.id}`, ADMIN, { enabled: false });
    expect(plain.json().secret).toBeUndefined();
    expect((await call('GET', '/projects/:project/webhooks/:id', `/projects/team/webhooks/${hook.id}`, ALICE)).json().enabled).toBe(false);

    expect((await call('DELETE', '/projects/:project/webhooks/:id', `/projects/team/webhooks/${hook.id}`, ALICE)).statusCode).toBe(204);
    expect((await call('GET', '/projects/:project/webhooks/:id', `/projects/team/webhooks/${hook.id}`, ALICE)).statusCode).toBe(404);
    expect((await call('DELETE', '/projects/:project/webhooks/:id', `/projects/team/webhooks/${hook.id}`, ALICE)).statusCode).toBe(404);

    const audit = await h.audit.store.query({ action: 'webhook.*', limit: 100 });
    expect(audit.map((e) => e.action)).toEqual(['webhook.create', 'webhook.update', 'webhook.update', 'webhook.delete']);
    expect(JSON.stringify(audit)).not.toContain(secret);
    expect(JSON.stringify(audit)).not.toContain(rotated.json().secret);
  });

  it('refuses guests, non-members and anonymous callers, and answers bad fields', async () => {
    const body = { url: 'http://127.0.0.1:9/x', events: ['push'] };
    expect((await call('POST', '/projects/:project/webhooks', '/projects/team/webhooks', GUS, body)).statusCode).toBe(403);
    expect((await call('GET', '/projects/:project/webhooks', '/projects/team/webhooks', GUS)).statusCode).toBe(403);
    expect((await call('GET', '/projects/:project/webhooks', '/projects/team/webhooks', NORA)).statusCode).toBe(404);
    expect((await call('GET', '/projects/:project/webhooks', '/projects/open/webhooks', NORA)).statusCode).toBe(403);
    expect((await call('GET', '/projects/:project/webhooks', '/projects/team/webhooks', {})).statusCode).toBe(401);
    const bad = await call('POST', '/projects/:project/webhooks', '/projects/team/webhooks', ALICE, { url: 'file:///etc/passwd', events: ['push', 'bogus'] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors.map((e: any) => e.field)).toContain('events.1');
    const scheme = await call('POST', '/projects/:project/webhooks', '/projects/team/webhooks', ALICE, { url: 'file:///etc/passwd', events: ['push'] });
    expect(scheme.json().errors[0]).toMatchObject({ code: 'INVALID', field: 'url' });
    const both = await call('POST', '/projects/:project/webhooks', '/projects/team/webhooks', ALICE, { ...body, secret: 'too-short' });
    expect(both.json().errors[0].field).toBe('secret');
  });

  it('answers 503 when the server has no webhook services, after checking access', async () => {
    const bare = await mount({ auth: h.auth, audit: h.audit, auditVerifiers: [] });
    try {
      expect((await bare.inject({ method: 'GET', url: '/api/v1/projects/team/webhooks', headers: GUS })).statusCode).toBe(403);
      expect((await bare.inject({ method: 'GET', url: '/api/v1/projects/team/webhooks', headers: ALICE })).statusCode).toBe(503);
    } finally {
      await bare.close();
    }
  });
});
