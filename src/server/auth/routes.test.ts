import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { createLocalJWKSet, decodeJwt, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness } from './harness.js';
import type { Harness } from './harness.js';
import { loadOrCreateServerKey } from './keys.js';
import { authenticateRequest, errorBody } from './request.js';
import { tokenRoutes } from './routes.js';

const basic = (u: string, p: string): string => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;

let h: Harness;
let app: FastifyInstance;
let robotSecret: string;

beforeAll(async () => {
  h = await createHarness({ lockout: { maxAccountFailures: 3, maxSourceFailures: 100 } });
  await h.identity.createUser({ name: 'admin', password: 'admin-password', admin: true });
  await h.identity.createUser({ name: 'dev', password: 'dev-password' });
  await h.identity.createUser({ name: 'guest', password: 'guest-password' });
  await h.identity.createUser({ name: 'victim', password: 'victim-password' });
  await h.identity.createProject({ name: 'team' });
  await h.identity.createProject({ name: 'pub', public: true });
  await h.identity.addMember('team', 'dev', 'developer');
  await h.identity.addMember('team', 'guest', 'guest');
  robotSecret = (await h.identity.createRobot({ project: 'team', name: 'ci', actions: ['pull'] })).secret;

  app = Fastify();
  await app.register(tokenRoutes, { auth: h.auth, key: h.key });
  // Stand-ins for the /v2 routes the lead writes: they call authenticateRequest the same way.
  app.get('/v2/', async (req, reply) => {
    const out = await authenticateRequest(req, h.auth, []);
    if (!out.ok) return reply.code(out.status).headers(out.headers).send(errorBody(out));
    return {};
  });
  app.get<{ Params: { p: string; r: string } }>('/v2/:p/:r/tags/list', async (req, reply) => {
    const out = await authenticateRequest(req, h.auth, [{ type: 'repository', name: `${req.params.p}/${req.params.r}`, actions: ['pull'] }]);
    if (!out.ok) return reply.code(out.status).headers(out.headers).send(errorBody(out));
    return { actor: out.actor.name };
  });
  app.put<{ Params: { p: string; r: string } }>('/v2/:p/:r/manifests/latest', async (req, reply) => {
    const out = await authenticateRequest(req, h.auth, [{ type: 'repository', name: `${req.params.p}/${req.params.r}`, actions: ['pull', 'push'] }]);
    if (!out.ok) return reply.code(out.status).headers(out.headers).send(errorBody(out));
    return reply.code(201).send();
  });
});
afterAll(async () => {
  await app?.close();
  await h?.close();
});

async function token(query: string, auth?: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await app.inject({ method: 'GET', url: `/token?service=portcullis&${query}`, headers: auth ? { authorization: auth } : {} });
  return { status: res.statusCode, body: res.json() };
}

describe('token endpoint', () => {
  it('issues an ES256 JWT with only the granted access, verifiable with the JWKS', async () => {
    const { status, body } = await token('scope=repository:team/app:pull,push,delete&scope=repository:pub/x:pull', basic('dev', 'dev-password'));
    expect(status).toBe(200);
    const jwks = (await app.inject({ url: '/token/jwks.json' })).json();
    const { payload, protectedHeader } = await jwtVerify(String(body.token), createLocalJWKSet(jwks), { issuer: 'portcullis-test', audience: 'portcullis' });
    expect(protectedHeader.alg).toBe('ES256');
    expect(payload.sub).toBe('dev');
    expect(payload.access).toEqual([
      { type: 'repository', name: 'team/app', actions: ['pull', 'push'] },
      { type: 'repository', name: 'pub/x', actions: ['pull'] },
    ]);
    for (const claim of ['exp', 'nbf', 'iat', 'jti']) expect(payload[claim]).toBeDefined();
    expect(payload.exp! - payload.iat!).toBe(300);
    expect(body.access_token).toBe(body.token);
    expect(body.expires_in).toBe(300);
    expect(body.refresh_token).toBeUndefined();
  });

  it('gives anonymous callers public pull only', async () => {
    const { status, body } = await token('scope=repository:pub/x:pull,push&scope=repository:team/app:pull');
    expect(status).toBe(200);
    expect(decodeJwt(String(body.token)).access).toEqual([{ type: 'repository', name: 'pub/x', actions: ['pull'] }]);
  });

  it('grants the (filtered) catalog to accounts, not to anonymous callers', async () => {
    const dev = await token('scope=registry:catalog:*', basic('dev', 'dev-password'));
    expect(decodeJwt(String(dev.body.token)).access).toEqual([{ type: 'registry', name: 'catalog', actions: ['*'] }]);
    const anon = await token('scope=registry:catalog:*');
    expect(decodeJwt(String(anon.body.token)).access).toEqual([]);
  });

  it('lets robots log in with their secret, scoped to their project and actions', async () => {
    const { body } = await token('scope=repository:team/app:pull,push', basic('robot$team+ci', robotSecret));
    expect(decodeJwt(String(body.token)).access).toEqual([{ type: 'repository', name: 'team/app', actions: ['pull'] }]);
    expect((await token('scope=repository:team/app:pull', basic('robot$team+ci', 'wrong'))).status).toBe(401);
  });

  it('refuses bad credentials, bad scopes and a foreign service', async () => {
    expect((await token('scope=repository:team/app:pull', basic('dev', 'nope'))).status).toBe(401);
    expect((await token('scope=repository:team/app:pull', basic('ghost', 'nope'))).status).toBe(401);
    expect((await token('scope=garbage')).status).toBe(400);
    const res = await app.inject({ url: '/token?service=elsewhere' });
    expect(res.statusCode).toBe(400);
  });

  it('issues refresh tokens for docker login and exchanges them (POST grant_type=refresh_token)', async () => {
    const login = await token('offline_token=true&client_id=docker', basic('dev', 'dev-password'));
    const refresh = String(login.body.refresh_token);
    expect(refresh.split('.')).toHaveLength(3);
    // A refresh token is not an access token.
    const asAccess = await app.inject({ url: '/v2/', headers: { authorization: `Bearer ${refresh}` } });
    expect(asAccess.statusCode).toBe(401);
    const res = await app.inject({
      method: 'POST',
      url: '/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refresh, service: 'portcullis', scope: 'repository:team/app:push', client_id: 'docker' }).toString(),
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.refresh_token).toBe(refresh);
    expect(body.scope).toBe('repository:team/app:push');
    expect(decodeJwt(body.access_token).sub).toBe('dev');
  });

  it('password changes revoke refresh tokens', async () => {
    await h.identity.createUser({ name: 'changer', password: 'changer-password' });
    const login = await token('offline_token=true', basic('changer', 'changer-password'));
    await h.identity.setPassword('changer', 'changer-password-2');
    const res = await app.inject({
      method: 'POST', url: '/token', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `grant_type=refresh_token&refresh_token=${String(login.body.refresh_token)}`,
    });
    expect(res.statusCode).toBe(401);
  });

  it('supports POST grant_type=password with access_type=offline', async () => {
    const res = await app.inject({
      method: 'POST', url: '/token', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ grant_type: 'password', username: 'guest', password: 'guest-password', scope: 'repository:team/app:pull,push', access_type: 'offline', service: 'portcullis' }).toString(),
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().scope).toBe('repository:team/app:pull');
    expect(typeof res.json().refresh_token).toBe('string');
    const bad = await app.inject({ method: 'POST', url: '/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'grant_type=client_credentials' });
    expect(bad.statusCode).toBe(400);
  });

  it('locks an account after repeated failures, even for the right password, and audits it', async () => {
    for (let i = 0; i < 3; i++) expect((await token('', basic('victim', `wrong-${i}`))).status).toBe(401);
    const locked = await app.inject({ url: '/token', headers: { authorization: basic('victim', 'victim-password') } });
    expect(locked.statusCode).toBe(401);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    const events = await h.auditStore.query({ actor: 'victim', action: 'auth.login' });
    expect(events.map((e) => e.outcome)).toEqual(['failure', 'failure', 'failure', 'failure']);
    expect(events.at(-1)?.reasons).toEqual(['account locked']);
    const ok = await h.auditStore.query({ actor: 'dev', action: 'auth.login', outcome: 'success' });
    expect(ok.length).toBeGreaterThan(0);
  });
});

describe('authenticateRequest', () => {
  it('challenges anonymous /v2/ with the realm and service', async () => {
    const res = await app.inject({ url: '/v2/' });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="http://localhost:80/token",service="portcullis"');
    expect(res.json().errors[0].code).toBe('UNAUTHORIZED');
  });

  it('challenges with the scope for a private repository, serves a public one anonymously', async () => {
    const res = await app.inject({ url: '/v2/team/app/tags/list' });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toContain('scope="repository:team/app:pull"');
    expect((await app.inject({ url: '/v2/pub/x/tags/list' })).statusCode).toBe(200);
  });

  it('accepts a bearer token carrying the scope, and says insufficient_scope otherwise', async () => {
    const { body } = await token('scope=repository:team/app:pull', basic('guest', 'guest-password'));
    const auth = { authorization: `Bearer ${String(body.token)}` };
    expect((await app.inject({ url: '/v2/team/app/tags/list', headers: auth })).json()).toEqual({ actor: 'guest' });
    expect((await app.inject({ url: '/v2/', headers: auth })).statusCode).toBe(200);
    const push = await app.inject({ method: 'PUT', url: '/v2/team/app/manifests/latest', headers: auth });
    expect(push.statusCode).toBe(403);
    expect(push.headers['www-authenticate']).toContain('error="insufficient_scope"');
    expect(push.json().errors[0].code).toBe('DENIED');
  });

  it('accepts Basic credentials directly', async () => {
    const dev = { authorization: basic('dev', 'dev-password') };
    expect((await app.inject({ method: 'PUT', url: '/v2/team/app/manifests/latest', headers: dev })).statusCode).toBe(201);
    const guest = await app.inject({ method: 'PUT', url: '/v2/team/app/manifests/latest', headers: { authorization: basic('guest', 'guest-password') } });
    expect(guest.statusCode).toBe(403);
    expect((await app.inject({ url: '/v2/', headers: { authorization: basic('dev', 'bad') } })).statusCode).toBe(401);
  });

  it('rejects tokens signed by another key, tampered or garbage', async () => {
    const { body } = await token('scope=repository:team/app:pull', basic('guest', 'guest-password'));
    const [hdr, payload, sig] = String(body.token).split('.');
    const forgedPayload = Buffer.from(JSON.stringify({ ...decodeJwt(String(body.token)), access: [{ type: 'repository', name: 'team/app', actions: ['push'] }] })).toString('base64url');
    const attempts = [`${hdr}.${forgedPayload}.${sig}`, 'not.a.jwt', 'garbage'];
    const otherKey = await loadOrCreateServerKey(`${h.dataDir}/other`);
    const { TokenService } = await import('./tokens.js');
    attempts.push((await new TokenService({ key: otherKey, issuer: 'portcullis-test', service: 'portcullis' }).issueAccessToken({ kind: 'user', id: 'x', name: 'admin' }, [{ type: 'repository', name: 'team/app', actions: ['push', 'pull'] }])).token);
    for (const t of attempts) {
      const res = await app.inject({ method: 'PUT', url: '/v2/team/app/manifests/latest', headers: { authorization: `Bearer ${t}` } });
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toContain('error="invalid_token"');
    }
    void payload;
  });
});
