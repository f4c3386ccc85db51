/**
 * The /api/v1 half of the authorisation matrix (run from auth-matrix.test.ts on its server):
 * every route of API_ROUTES for every account, per project kind, against API_MATRIX, with the
 * identity token from `docker login` and with Basic credentials; project listings leak nothing.
 */
import { describe, expect, it } from 'vitest';
import { API_ROUTES } from '../../src/server/api/index.js';
import type { ApiRoute } from '../../src/server/api/route.js';
import { apiExpectation, type ApiColumn, type ProjectKind } from '../../src/server/auth/matrix.js';
import type { TestServer } from '../../src/testing/server.js';
import { type Account, KINDS, PASSWORD, PROJECT, basicHeader, call, rowFor, type World } from './auth-world.js';

interface Req {
  method: string;
  path: string;
  body?: object;
}

/** Routes read in Basic mode too (each Basic request costs a password hash check). */
const BASIC_ROUTES = new Set(['getMe', 'listUsers', 'listProjects', 'getProject', 'listMembers', 'listRobots']);
/** Answers besides the documented first one that also mean "allowed". */
const ALSO_OK: Record<string, number[]> = { checkpointAudit: [204] };
const SPARE = 'spare-user';

export function apiMatrixSuite(ctx: () => { srv: TestServer; world: World }): void {
  let n = 0;
  const uniq = (prefix: string): string => `${prefix}${++n}`;
  const ignore = async (p: Promise<unknown>): Promise<void> => void (await p);

  /** A request that exercises the route, after making sure what it acts on exists. */
  async function requestFor(route: ApiRoute, kind: ProjectKind, self: string | undefined): Promise<Req> {
    const { world } = ctx();
    const P = PROJECT[kind];
    switch (route.operationId) {
      case 'createUser':
        return { method: 'POST', path: '/users', body: { name: uniq('new-user-'), password: PASSWORD } };
      case 'getUser':
        return { method: 'GET', path: `/users/${encodeURIComponent(self ?? SPARE)}` };
      case 'deleteUser': {
        const name = uniq('doomed-user-');
        expect((await world.api('POST', '/users', { name, password: PASSWORD })).status).toBe(201);
        return { method: 'DELETE', path: `/users/${name}` };
      }
      case 'changePassword':
        return { method: 'PUT', path: `/users/${SPARE}/password`, body: { password: 'spare-password-2' } };
      case 'listProjects':
        return { method: 'GET', path: '/projects?page_size=100' };
      case 'createProject':
        return { method: 'POST', path: '/projects', body: { name: uniq('newproj'), public: false } };
      case 'deleteProject': {
        const name = uniq('doomedproj');
        expect((await world.api('POST', '/projects', { name })).status).toBe(201);
        return { method: 'DELETE', path: `/projects/${name}` };
      }
      case 'updateProject':
        return { method: 'PATCH', path: `/projects/${P}`, body: { public: kind === 'public' } };
      case 'addMember':
        await ignore(world.api('DELETE', `/projects/${P}/members/${SPARE}`));
        return { method: 'POST', path: `/projects/${P}/members`, body: { user: SPARE, role: 'guest' } };
      case 'setMemberRole':
      case 'removeMember':
        await ignore(world.api('POST', `/projects/${P}/members`, { user: SPARE, role: 'guest' }));
        return route.operationId === 'removeMember'
          ? { method: 'DELETE', path: `/projects/${P}/members/${SPARE}` }
          : { method: 'PUT', path: `/projects/${P}/members/${SPARE}`, body: { role: 'guest' } };
      case 'createRobot':
        return { method: 'POST', path: `/projects/${P}/robots`, body: { name: uniq('bot'), actions: ['pull'] } };
      case 'revokeRobot': {
        const name = uniq('doomedbot');
        if (kind !== 'missing') expect((await world.api('POST', `/projects/${P}/robots`, { name, actions: ['pull'] })).status).toBe(201);
        return { method: 'DELETE', path: `/projects/${P}/robots/${name}` };
      }
      case 'queryAudit':
        return { method: 'GET', path: '/audit/events?limit=1' };
      case 'getMe':
      case 'listUsers':
      case 'getProject':
      case 'listMembers':
      case 'listRobots':
      case 'verifyAudit':
      case 'checkpointAudit':
        return { method: route.method, path: route.path.replace(':project', P) };
      default: {
        // A route this suite does not know yet: reachable with placeholder parameters; only refusals are exact.
        const path = route.path.replace(':project', P).replace(/:\w+/g, 'x');
        return { method: route.method, path, ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { body: {} }) };
      }
    }
  }

  const KNOWN = new Set([
    'getMe', 'listUsers', 'createUser', 'getUser', 'deleteUser', 'changePassword', 'listProjects', 'createProject', 'getProject',
    'updateProject', 'deleteProject', 'listMembers', 'addMember', 'setMemberRole', 'removeMember', 'listRobots', 'createRobot',
    'revokeRobot', 'queryAudit', 'verifyAudit', 'checkpointAudit',
  ]);

  function columnsOf(route: ApiRoute): ApiColumn[] {
    // Changing one's own password needs the old one and ends one's identity tokens: api.test.ts covers it.
    if (route.operationId === 'changePassword') return ['other-user'];
    return route.access === 'admin-or-self' ? ['other-user', 'own-user'] : [route.access];
  }

  async function check(route: ApiRoute, column: ApiColumn, kind: ProjectKind, a: Account, auth: string | undefined, mode: string): Promise<void> {
    const { srv } = ctx();
    const self = column === 'own-user' ? (a.login?.username ?? 'admin') : undefined;
    const req = await requestFor(route, kind, self);
    const res = await call(srv, req.method, `/api/v1${req.path}`, auth, req.body);
    const want = apiExpectation(rowFor(a, kind).label, column, kind);
    const label = `${mode} ${a.id} ${route.operationId} (${column}) on ${kind}: ${res.status} ${res.text.slice(0, 160)}`;
    if (want === 'ok') {
      if (KNOWN.has(route.operationId)) expect([route.responses[0]!.status, ...(ALSO_OK[route.operationId] ?? [])], label).toContain(res.status);
      else expect([401, 403], label).not.toContain(res.status);
      return;
    }
    expect(res.status, label).toBe(Number(want));
    const code = res.json<{ errors: { code: string }[] }>().errors[0]!.code;
    expect(code, label).toBe({ 401: 'UNAUTHORIZED', 403: 'FORBIDDEN', 404: 'NOT_FOUND' }[want]);
    if (want === '401') expect(res.headers.get('www-authenticate'), label).toMatch(/^Basic realm=/);
  }

  /** Bearer identity tokens (docker login), one per account; null where the login is refused. */
  const identity = new Map<string, string | null>();

  describe('/api/v1 for every account', () => {
    it('gives identity tokens to accounts that may log in', async () => {
      const { srv, world } = ctx();
      expect((await world.api('POST', '/users', { name: SPARE, password: PASSWORD })).status).toBe(201);
      for (const a of world.accounts) {
        if (!a.login) continue;
        const res = await call(srv, 'GET', '/token?service=portcullis&offline_token=true', basicHeader(a.login));
        if (a.row.authenticates === false) {
          expect(res.status, a.id).toBe(401);
          identity.set(a.id, null);
        } else {
          expect(res.status, a.id).toBe(200);
          identity.set(a.id, `Bearer ${res.json<{ refresh_token: string }>().refresh_token}`);
        }
      }
    });

    it('lists only the projects each account may see, and counts only those', async () => {
      const { srv, world } = ctx();
      for (const a of world.accounts) {
        for (const auth of [identity.get(a.id), a.login ? basicHeader(a.login) : undefined]) {
          if (auth === null) continue;
          const res = await call(srv, 'GET', '/api/v1/projects?page_size=100', auth);
          if (a.row.authenticates === false) {
            expect(res.status).toBe(401);
            continue;
          }
          const want = (['public', 'private'] as const)
            .filter((k) => apiExpectation(rowFor(a, k).label, 'project-visible', k) === 'ok')
            .map((k) => PROJECT[k])
            .sort();
          expect(res.json<{ name: string }[]>().map((p) => p.name), a.id).toEqual(want);
          expect(res.headers.get('x-total-count'), a.id).toBe(String(want.length));
        }
      }
    });

    it('answers every route exactly as API_MATRIX says, with identity tokens and with Basic credentials', async () => {
      const { world } = ctx();
      for (const route of API_ROUTES) {
        for (const column of columnsOf(route)) {
          const kinds = column.startsWith('project-') ? KINDS : (['public'] as const);
          for (const kind of kinds) {
            for (const a of world.accounts) {
              const token = identity.get(a.id);
              if (token !== null) await check(route, column, kind, a, token, 'identity token');
              if (a.login && (token === null || BASIC_ROUTES.has(route.operationId))) await check(route, column, kind, a, basicHeader(a.login), 'basic');
            }
          }
        }
      }
    }, 120_000);
  });
}
