/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return -- response bodies and the OpenAPI document are untyped JSON */
import { generateKeyPairSync } from 'node:crypto';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validatePolicy } from '../../policy/parse.js';
import { generateKeyPair, publicKeyPem } from '../../signing/keys.js';
import type { Harness } from '../auth/harness.js';
import { API_ROUTES, apiRoutes } from './index.js';
import { openapiDocument } from './openapi.js';
import { createPolicyApi, type PolicyApi } from './policy-testing.js';
import { openapiChecker } from './testing/conformance.js';

const basic = (u: string): Record<string, string> => ({ authorization: `Basic ${Buffer.from(`${u}:${u}-password`).toString('base64')}` });
const ADMIN = basic('admin');
const ALICE = basic('alice'); // projectAdmin of team
const GUS = basic('gus'); // guest of team
const NORA = basic('nora'); // no membership
const ANON = {};

const CONFIGURED = validatePolicy({ version: 1, mode: 'warn', push: { secrets: {} } });

let api: PolicyApi;
let h: Harness;
let app: FastifyInstance;
let doc: any;
const { ajv, conforms, call } = openapiChecker(() => app, () => doc);

const putText = (url: string, headers: Record<string, string>, text: string) =>
  app.inject({ method: 'PUT', url: `/api/v1${url}`, headers: { ...headers, 'content-type': 'text/plain' }, payload: text });

async function actions(prefix: string): Promise<{ action: string; actorName: string | null; detail: unknown }[]> {
  return (await h.audit.store.query({ action: `${prefix}.*`, limit: 1000 })).map((e) => ({ action: e.action, actorName: e.actorName, detail: e.detail }));
}

beforeAll(async () => {
  api = await createPolicyApi(CONFIGURED);
  ({ h, app } = api);
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
  await api?.close();
});

describe('OpenAPI', () => {
  it('documents the policy and key endpoints with their access and schemas', () => {
    const ops = Object.values<any>(doc.paths).flatMap((item) => Object.values<any>(item));
    const mine = ops.filter((o) => ['policy', 'trusted keys'].includes(o.tags[0]));
    expect(mine.map((o) => o.operationId).sort()).toEqual(
      ['addTrustedKey', 'getProjectPolicy', 'getProjectPolicyVersion', 'getSystemPolicy', 'listProjectPolicyVersions', 'listTrustedKeys', 'removeTrustedKey', 'setProjectPolicy', 'setSystemPolicy'],
    );
    const put = doc.paths['/api/v1/projects/{project}/policy'].put;
    expect(put['x-access']).toBe('project-admin');
    const body = ajv.compile(put.requestBody.content['application/json'].schema);
    expect(body('version: 1\n')).toBe(true);
    expect(body({ version: 1, push: { vulnerabilities: { severity: 'HIGH' } } })).toBe(true);
    expect(body({ version: 1, push: { vulnerabilities: { severity: 'SEVERE' } } })).toBe(false);
    expect(doc.paths['/api/v1/projects/{project}/policy/versions/{n}'].get.parameters.map((p: any) => p.name)).toEqual(['project', 'n']);
  });
});

describe('project policies', () => {
  it('lets members read the inherited policy and refuses everyone else', async () => {
    const res = await call('GET', '/projects/:project/policy', '/projects/team/policy', GUS);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ project: 'team', origin: 'default', version: null, policy: CONFIGURED });
    expect((await call('GET', '/projects/:project/policy', '/projects/team/policy', NORA)).statusCode).toBe(404);
    expect((await call('GET', '/projects/:project/policy', '/projects/open/policy', NORA)).statusCode).toBe(403);
    expect((await call('GET', '/projects/:project/policy', '/projects/team/policy', ANON)).statusCode).toBe(401);
    expect((await call('GET', '/projects/:project/policy', '/projects/nope/policy', ADMIN)).statusCode).toBe(404);
    expect((await call('GET', '/projects/:project/policy', '/projects/open/policy', ADMIN)).statusCode).toBe(200);
  });

  it('stores a new version on every PUT (YAML text, JSON string, JSON object) and keeps each one', async () => {
    const yaml = '# team policy\nversion: 1\npush:\n  vulnerabilities:\n    severity: HIGH\n';
    const v1 = await putText('/projects/team/policy', ALICE, yaml);
    expect(v1.statusCode).toBe(200);
    conforms('PUT', '/projects/:project/policy', v1);
    expect(v1.json()).toMatchObject({ project: 'team', origin: 'project', version: 1, author: 'alice', source: yaml });
    expect(v1.json().policy.push.vulnerabilities).toEqual({ severity: 'HIGH', onlyFixed: false, allow: [] });

    const v2 = await call('PUT', '/projects/:project/policy', '/projects/team/policy', ALICE, { version: 1, mode: 'warn', pull: { requireScan: true } });
    expect(v2.json()).toMatchObject({ version: 2, policy: { mode: 'warn', pull: { requireScan: true } } });
    expect(v2.json().source).toBeUndefined();
    // A JSON string body is policy text too (what `portcullis policy set` sends).
    const v3 = await app.inject({ method: 'PUT', url: '/api/v1/projects/team/policy', headers: { ...ADMIN, 'content-type': 'application/json' }, payload: JSON.stringify('{"version": 1}') });
    conforms('PUT', '/projects/:project/policy', v3);
    expect(v3.json()).toMatchObject({ version: 3, author: 'admin', source: '{"version": 1}' });

    const latest = await call('GET', '/projects/:project/policy', '/projects/team/policy', GUS);
    expect(latest.json()).toMatchObject({ origin: 'project', version: 3 });
    const versions = await call('GET', '/projects/:project/policy/versions', '/projects/team/policy/versions', GUS);
    expect(versions.json().map((v: any) => [v.version, v.author])).toEqual([[3, 'admin'], [2, 'alice'], [1, 'alice']]);
    const first = await call('GET', '/projects/:project/policy/versions/:n', '/projects/team/policy/versions/1', GUS);
    expect(first.json()).toMatchObject({ version: 1, source: yaml });
    expect((await call('GET', '/projects/:project/policy/versions/:n', '/projects/team/policy/versions/9', GUS)).statusCode).toBe(404);
    const bad = await call('GET', '/projects/:project/policy/versions/:n', '/projects/team/policy/versions/x', GUS);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('n');
    expect((await call('GET', '/projects/:project/policy/versions', '/projects/team/policy/versions', NORA)).statusCode).toBe(404);

    const audit = (await actions('policy')).filter((e) => e.action === 'policy.update');
    expect(audit.map((e) => [e.actorName, (e.detail as any).version])).toEqual([['alice', 1], ['alice', 2], ['admin', 3]]);
  });

  it('refuses writes by guests and non-members, and answers invalid policies field by field', async () => {
    const doc1 = { version: 1 };
    expect((await call('PUT', '/projects/:project/policy', '/projects/team/policy', GUS, doc1)).statusCode).toBe(403);
    expect((await call('PUT', '/projects/:project/policy', '/projects/team/policy', NORA, doc1)).statusCode).toBe(404);
    expect((await call('PUT', '/projects/:project/policy', '/projects/open/policy', NORA, doc1)).statusCode).toBe(403);
    expect((await call('PUT', '/projects/:project/policy', '/projects/team/policy', ANON, doc1)).statusCode).toBe(401);

    const invalid = await call('PUT', '/projects/:project/policy', '/projects/team/policy', ALICE, {
      version: 1,
      push: { vulnerabilities: { severity: 'SEVERE', allow: [{ id: 'CVE-1' }] }, typo: true },
    });
    expect(invalid.statusCode).toBe(400);
    const fields = invalid.json().errors.map((e: any) => [e.code, e.field]);
    expect(fields).toEqual(expect.arrayContaining([['INVALID', 'push.vulnerabilities.severity'], ['INVALID', 'push.vulnerabilities.allow.0.justification'], ['INVALID', 'push']]));
    const yaml = await putText('/projects/team/policy', ALICE, 'version: 1\npush: [unclosed\n');
    expect(yaml.statusCode).toBe(400);
    expect(yaml.json().errors).toEqual([{ code: 'INVALID', field: 'body', message: expect.stringMatching(/not valid YAML/) }]);
    const huge = await putText('/projects/team/policy', ALICE, `version: 1\n${'#'.repeat(300_000)}\n`);
    expect(huge.json().errors).toEqual([{ code: 'INVALID', field: 'body', message: expect.stringMatching(/at most/) }]);
    const wrongVersion = await putText('/projects/team/policy', ALICE, 'version: 2\n');
    expect(wrongVersion.json().errors.map((e: any) => e.field)).toEqual(['version']);
    // Nothing invalid was stored.
    expect((await call('GET', '/projects/:project/policy', '/projects/team/policy', ALICE)).json().version).toBe(3);
  });
});

describe('system policy', () => {
  it('is for system administrators and overrides the configured default for projects without their own', async () => {
    expect((await call('GET', '/system/policy', '/system/policy', ALICE)).statusCode).toBe(403);
    expect((await call('PUT', '/system/policy', '/system/policy', ALICE, { version: 1 })).statusCode).toBe(403);
    expect((await call('GET', '/system/policy', '/system/policy', ANON)).statusCode).toBe(401);
    expect((await call('GET', '/system/policy', '/system/policy', ADMIN)).json()).toMatchObject({ project: null, origin: 'default', policy: CONFIGURED });
    const set = await call('PUT', '/system/policy', '/system/policy', ADMIN, { version: 1, push: { secrets: {}, misconfigurations: { deny: ['PCS-*'] } } });
    expect(set.json()).toMatchObject({ origin: 'system', version: 1, author: 'admin' });
    const inherited = await call('GET', '/projects/:project/policy', '/projects/open/policy', ADMIN);
    expect(inherited.json()).toMatchObject({ project: 'open', origin: 'system', version: 1, policy: { push: { misconfigurations: { deny: ['PCS-*'] } } } });
    expect((await actions('policy')).filter((e) => e.action === 'policy.system.update')).toHaveLength(1);
  });
});

describe('trusted keys', () => {
  const pem = publicKeyPem(generateKeyPair().publicKey);

  it('are added and removed by project administrators and read by members', async () => {
    const added = await call('POST', '/projects/:project/keys', '/projects/team/keys', ALICE, { name: 'release', key: pem });
    expect(added.statusCode).toBe(201);
    expect(added.json()).toMatchObject({ name: 'release', public_key: pem, added_by: 'alice', key_id: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect((await call('POST', '/projects/:project/keys', '/projects/team/keys', ALICE, { name: 'release', key: pem })).statusCode).toBe(409);
    expect((await call('POST', '/projects/:project/keys', '/projects/team/keys', GUS, { name: 'ci', key: pem })).statusCode).toBe(403);
    expect((await call('POST', '/projects/:project/keys', '/projects/team/keys', NORA, { name: 'ci', key: pem })).statusCode).toBe(404);
    const list = await call('GET', '/projects/:project/keys', '/projects/team/keys', GUS);
    expect(list.json().map((k: any) => k.name)).toEqual(['release']);
    expect((await call('GET', '/projects/:project/keys', '/projects/team/keys', NORA)).statusCode).toBe(404);

    expect((await call('DELETE', '/projects/:project/keys/:name', '/projects/team/keys/release', GUS)).statusCode).toBe(403);
    expect((await call('DELETE', '/projects/:project/keys/:name', '/projects/team/keys/release', ALICE)).statusCode).toBe(204);
    expect((await call('DELETE', '/projects/:project/keys/:name', '/projects/team/keys/release', ALICE)).statusCode).toBe(404);
    expect((await call('GET', '/projects/:project/keys', '/projects/team/keys', GUS)).json()).toEqual([]);

    const audit = await actions('trust');
    expect(audit.map((e) => [e.action, e.actorName, (e.detail as any).name])).toEqual([['trust.key.add', 'alice', 'release'], ['trust.key.remove', 'alice', 'release']]);
    expect((audit[0]!.detail as any).keyId).toBe(added.json().key_id);
  });

  it('accepts only ECDSA P-256 public keys and valid names', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const res = await call('POST', '/projects/:project/keys', '/projects/team/keys', ALICE, { name: 'rsa', key: rsa });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([{ code: 'INVALID', field: 'key', message: expect.stringMatching(/ECDSA P-256/) }]);
    const junk = await call('POST', '/projects/:project/keys', '/projects/team/keys', ALICE, { name: 'junk', key: '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n' });
    expect(junk.json().errors[0].field).toBe('key');
    const name = await call('POST', '/projects/:project/keys', '/projects/team/keys', ALICE, { name: '../etc', key: pem });
    expect(name.json().errors[0].field).toBe('name');
  });
});

describe('without policy services', () => {
  it('answers 503 after the access checks', async () => {
    const bare = Fastify();
    await bare.register(apiRoutes, { auth: h.auth, audit: h.audit, auditVerifiers: [] });
    expect((await bare.inject({ url: '/api/v1/projects/team/policy', headers: NORA })).statusCode).toBe(404);
    const res = await bare.inject({ url: '/api/v1/projects/team/policy', headers: GUS });
    expect(res.statusCode).toBe(503);
    expect(res.json().errors[0].message).toMatch(/not configured/);
    await bare.close();
  });
});
