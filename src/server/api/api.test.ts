/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return -- response bodies and the OpenAPI document are untyped JSON */
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { es256Verifier } from '../../audit/signing.js';
import { createHarness } from '../auth/harness.js';
import type { Harness } from '../auth/harness.js';
import { API_ROUTES, apiRoutes } from './index.js';
import { openapiChecker } from './testing/conformance.js';

const basic = (u: string, p: string): Record<string, string> => ({ authorization: `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}` });
const ADMIN = basic('admin', 'admin-password');
const ALICE = basic('alice', 'alice-password');
const BOB = basic('bob', 'bob-password');

let h: Harness;
let app: FastifyInstance;
let doc: any;
const registered: string[] = [];
const { ajv, call } = openapiChecker(() => app, () => doc);

beforeAll(async () => {
  h = await createHarness();
  await h.identity.createUser({ name: 'admin', password: 'admin-password', admin: true });
  app = Fastify();
  app.addHook('onRoute', (r) => {
    if (r.url.startsWith('/api/v1')) for (const m of [r.method].flat()) if (m !== 'HEAD') registered.push(`${m} ${r.url}`);
  });
  await app.register(apiRoutes, { auth: h.auth, audit: h.audit, auditVerifiers: [es256Verifier(h.key.publicKey)] });
  doc = (await app.inject({ url: '/api/v1/openapi.json' })).json();
});
afterAll(async () => {
  await app?.close();
  await h?.close();
});

describe('OpenAPI document', () => {
  it('is OpenAPI 3.1 with every schema a valid JSON Schema 2020-12', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.title).toBeTruthy();
    const ops = new Set<string>();
    for (const [path, item] of Object.entries<any>(doc.paths)) {
      expect(path.startsWith('/api/v1/')).toBe(true);
      for (const [method, op] of Object.entries<any>(item)) {
        expect(['get', 'post', 'put', 'patch', 'delete']).toContain(method);
        expect(ops.has(op.operationId)).toBe(false);
        ops.add(op.operationId);
        const templated = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
        const pathParams = (op.parameters ?? []).filter((p: any) => p.in === 'path').map((p: any) => p.name);
        expect(pathParams).toEqual(templated);
        for (const p of op.parameters ?? []) ajv.compile(p.schema);
        if (op.requestBody) ajv.compile(op.requestBody.content['application/json'].schema);
        expect(Object.keys(op.responses).length).toBeGreaterThan(0);
        for (const r of Object.values<any>(op.responses)) {
          expect(typeof r.description).toBe('string');
          const s = r.content?.['application/json']?.schema;
          if (s && !s.$ref) ajv.compile(s);
        }
      }
    }
    ajv.compile(doc.components.schemas.Error);
  });

  it('describes exactly the routes the plugin registers', () => {
    const documented = API_ROUTES.map((r) => `${r.method} /api/v1${r.path}`).sort();
    expect(registered.filter((r) => !r.endsWith('/openapi.json')).sort()).toEqual(documented);
    expect(Object.values<any>(doc.paths).flatMap((i) => Object.keys(i)).length).toBe(API_ROUTES.length);
  });
});

describe('users', () => {
  it('lets the admin create, list (paged), get and delete users', async () => {
    for (const name of ['alice', 'bob', 'carol', 'dave']) {
      const res = await call('POST', '/users', '/users', ADMIN, { name, password: `${name}-password` });
      expect(res.statusCode).toBe(201);
    }
    const page = await call('GET', '/users', '/users?page=2&page_size=2', ADMIN);
    expect(page.json().map((u: any) => u.name)).toEqual(['bob', 'carol']);
    expect(page.headers['x-total-count']).toBe('5');
    expect(page.headers.link).toContain('</api/v1/users?page=3&page_size=2>; rel="next"');
    expect(page.headers.link).toContain('</api/v1/users?page=1&page_size=2>; rel="prev"');
    expect((await call('GET', '/users/:name', '/users/carol', ADMIN)).json()).toMatchObject({ name: 'carol', admin: false });
    expect((await call('DELETE', '/users/:name', '/users/dave', ADMIN)).statusCode).toBe(204);
    expect((await call('GET', '/users/:name', '/users/dave', ADMIN)).statusCode).toBe(404);
  });

  it('answers validation errors field by field', async () => {
    const res = await call('POST', '/users', '/users', ADMIN, { name: 'bad name', password: 'x', extra: 1 });
    expect(res.statusCode).toBe(400);
    const fields = res.json().errors.map((e: any) => e.field).sort();
    expect(fields).toEqual(expect.arrayContaining(['name', 'password']));
    expect(res.json().errors.every((e: any) => e.code === 'INVALID')).toBe(true);
    const dup = await call('POST', '/users', '/users', ADMIN, { name: 'alice', password: 'whatever-pass' });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().errors[0]).toMatchObject({ code: 'CONFLICT', field: 'name' });
    const junk = await app.inject({ method: 'POST', url: '/api/v1/users', headers: { ...ADMIN, 'content-type': 'application/json' }, payload: '{nope' });
    expect(junk.statusCode).toBe(400);
    expect(junk.json().errors[0].code).toBe('INVALID');
  });

  it('keeps non-admins out, and lets users change their own password with the old one', async () => {
    expect((await call('GET', '/users', '/users', ALICE)).statusCode).toBe(403);
    expect((await call('GET', '/users', '/users', {})).statusCode).toBe(401);
    expect((await call('GET', '/users/:name', '/users/bob', ALICE)).statusCode).toBe(403);
    expect((await call('GET', '/me', '/me', ALICE)).json()).toEqual({ kind: 'user', name: 'alice', admin: false });
    expect((await call('PUT', '/users/:name/password', '/users/alice/password', ALICE, { password: 'alice-new-password' })).statusCode).toBe(400);
    expect(
      (await call('PUT', '/users/:name/password', '/users/alice/password', ALICE, { password: 'alice-new-password', old_password: 'alice-password' })).statusCode,
    ).toBe(204);
    expect((await call('PUT', '/users/:name/password', '/users/alice/password', ADMIN, { password: 'alice-password' })).statusCode).toBe(204);
    expect((await call('PUT', '/users/:name/password', '/users/bob/password', ALICE, { password: 'bob-new-password' })).statusCode).toBe(403);
    const wrong = await app.inject({ url: '/api/v1/me', headers: basic('alice', 'wrong') });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.headers['www-authenticate']).toContain('Basic');
  });
});

describe('projects, members and robots', () => {
  it('creates projects (admin only) and never lists private ones to outsiders', async () => {
    expect((await call('POST', '/projects', '/projects', ADMIN, { name: 'public1', public: true })).statusCode).toBe(201);
    expect((await call('POST', '/projects', '/projects', ADMIN, { name: 'secretproj' })).statusCode).toBe(201);
    expect((await call('POST', '/projects', '/projects', ADMIN, { name: 'alices' })).statusCode).toBe(201);
    expect((await call('POST', '/projects', '/projects', ALICE, { name: 'mine' })).statusCode).toBe(403);
    expect((await call('POST', '/projects/:project/members', '/projects/alices/members', ADMIN, { user: 'alice', role: 'projectAdmin' })).statusCode).toBe(201);
    expect((await call('GET', '/projects', '/projects', {})).json().map((p: any) => p.name)).toEqual(['public1']);
    const forAlice = await call('GET', '/projects', '/projects', ALICE);
    expect(forAlice.json().map((p: any) => p.name)).toEqual(['alices', 'public1']);
    expect(forAlice.headers['x-total-count']).toBe('2');
    expect((await call('GET', '/projects', '/projects', ADMIN)).headers['x-total-count']).toBe('3');
    // Same answer for a private project as for a missing one.
    const hidden = await call('GET', '/projects/:project', '/projects/secretproj', ALICE);
    const missing = await call('GET', '/projects/:project', '/projects/nosuchproj', ALICE);
    expect(hidden.statusCode).toBe(404);
    expect(hidden.json().errors[0].code).toBe(missing.json().errors[0].code);
    expect((await call('GET', '/projects/:project/members', '/projects/secretproj/members', ALICE)).statusCode).toBe(404);
    expect(JSON.stringify((await call('GET', '/projects', '/projects?page_size=100', BOB)).json())).not.toContain('secretproj');
  });

  it('lets a project admin manage members and the public flag, but not other projects', async () => {
    expect((await call('POST', '/projects/:project/members', '/projects/alices/members', ALICE, { user: 'bob', role: 'developer' })).statusCode).toBe(201);
    expect((await call('POST', '/projects/:project/members', '/projects/alices/members', ALICE, { user: 'bob', role: 'guest' })).statusCode).toBe(409);
    expect((await call('POST', '/projects/:project/members', '/projects/alices/members', ALICE, { user: 'carol', role: 'owner' })).statusCode).toBe(400);
    expect((await call('PUT', '/projects/:project/members/:user', '/projects/alices/members/bob', ALICE, { role: 'maintainer' })).json()).toEqual({ user: 'bob', role: 'maintainer' });
    const members = await call('GET', '/projects/:project/members', '/projects/alices/members', BOB);
    expect(members.json()).toEqual([{ user: 'alice', role: 'projectAdmin' }, { user: 'bob', role: 'maintainer' }]);
    expect((await call('POST', '/projects/:project/members', '/projects/alices/members', BOB, { user: 'carol', role: 'guest' })).statusCode).toBe(403);
    expect((await call('PATCH', '/projects/:project', '/projects/alices', ALICE, { public: true })).json()).toMatchObject({ public: true });
    expect((await call('PATCH', '/projects/:project', '/projects/public1', ALICE, { public: false })).statusCode).toBe(403);
    expect((await call('DELETE', '/projects/:project/members/:user', '/projects/alices/members/bob', ALICE)).statusCode).toBe(204);
    expect((await call('DELETE', '/projects/:project/members/:user', '/projects/alices/members/bob', ALICE)).statusCode).toBe(404);
    expect((await call('DELETE', '/projects/:project', '/projects/alices', ALICE)).statusCode).toBe(403);
  });

  it('creates robots whose secret is shown once and works, lists them without secrets, revokes them', async () => {
    const created = await call('POST', '/projects/:project/robots', '/projects/alices/robots', ALICE, { name: 'ci', actions: ['pull', 'push'], expires_in_days: 30 });
    expect(created.statusCode).toBe(201);
    const robot = created.json();
    expect(robot.name).toBe('robot$alices+ci');
    expect(robot.secret.length).toBeGreaterThan(30);
    expect(new Date(robot.expires_at).getTime()).toBeGreaterThan(Date.now() + 29 * 86_400_000);
    const list = await call('GET', '/projects/:project/robots', '/projects/alices/robots', ALICE);
    expect(JSON.stringify(list.json())).not.toContain(robot.secret);
    expect(list.json()[0]).not.toHaveProperty('secret');
    const asRobot = basic('robot$alices+ci', robot.secret);
    expect((await call('GET', '/me', '/me', asRobot)).json()).toEqual({ kind: 'robot', name: 'robot$alices+ci', admin: false });
    expect((await call('GET', '/users', '/users', asRobot)).statusCode).toBe(403);
    // alices is public by now: bob sees it, but only its project admins see its robots.
    expect((await call('GET', '/projects/:project/robots', '/projects/alices/robots', BOB)).statusCode).toBe(403);
    expect((await call('DELETE', '/projects/:project/robots/:robot', '/projects/alices/robots/ci', ALICE)).json()).toMatchObject({ revoked: true });
    expect((await app.inject({ url: '/api/v1/me', headers: asRobot })).statusCode).toBe(401);
    expect((await call('POST', '/projects/:project/robots', '/projects/alices/robots', ALICE, { name: 'x', actions: ['sign'] })).statusCode).toBe(400);
  });

  it('lets the admin delete a project', async () => {
    expect((await call('DELETE', '/projects/:project', '/projects/secretproj', ADMIN)).statusCode).toBe(204);
    expect((await call('GET', '/projects/:project', '/projects/secretproj', ADMIN)).statusCode).toBe(404);
  });
});

describe('audit endpoints', () => {
  it('records management actions, queries them and verifies the chain', async () => {
    const res = await call('GET', '/audit/events', '/audit/events?action=robot.*', ADMIN);
    expect(res.json().map((e: any) => e.action)).toEqual(['robot.create', 'robot.revoke']);
    expect(res.json()[0].actorName).toBe('alice');
    const failures = await call('GET', '/audit/events', '/audit/events?action=auth.login&outcome=failure', ADMIN);
    expect(failures.json().length).toBeGreaterThan(0);
    expect((await call('GET', '/audit/events', '/audit/events?since=yesterday', ADMIN)).statusCode).toBe(400);
    expect((await call('GET', '/audit/events', '/audit/events', ALICE)).statusCode).toBe(403);
    const cp = await call('POST', '/audit/checkpoints', '/audit/checkpoints', ADMIN);
    expect(cp.statusCode).toBe(201);
    const verified = await call('GET', '/audit/verify', '/audit/verify', ADMIN);
    expect(verified.json()).toMatchObject({ ok: true, lastCheckpointSeq: cp.json().seq });
  });

  it('answers unknown endpoints with the error body', async () => {
    const res = await app.inject({ url: '/api/v1/nothing', headers: ADMIN });
    expect(res.statusCode).toBe(404);
    expect(res.json().errors[0].code).toBe('NOT_FOUND');
  });
});
