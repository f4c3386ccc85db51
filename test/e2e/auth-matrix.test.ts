/**
 * The authorisation matrix through a real server: every /v2 endpoint for every account of
 * AUTHZ_MATRIX on a public, a private and a missing project, with bearer tokens from /token
 * (the docker flow, anonymous included) and with Basic credentials; listings leak nothing.
 * The expectations come from the matrix data, never from the code under test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestOf } from '../../src/image/digest.js';
import { MediaType } from '../../src/image/mediatypes.js';
import type { ProjectKind } from '../../src/server/auth/matrix.js';
import { startTestServer, type TestServer } from '../../src/testing/server.js';
import { type Account, KINDS, PROJECT, basicHeader, buildWorld, call, granted, pool, type Reply, type World } from './auth-world.js';
import { apiMatrixSuite } from './auth-matrix-api.js';

let srv: TestServer;
let world: World;

type Mode = 'bearer' | 'basic';
const MODES: readonly Mode[] = ['bearer', 'basic'];

const blob = (s: string) => ({ data: Buffer.from(s), digest: digestOf(Buffer.from(s)) });
const CONFIG = blob(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }));
const LAYER = blob('layer bytes of the matrix image');
const EXTRA = blob('a blob to delete');
const UPLOAD = blob('bytes uploaded in chunks');
const MOUNTABLE: Record<'public' | 'private', ReturnType<typeof blob>> = { public: blob('mount me (public)'), private: blob('mount me (private)') };
const SHARED: Record<'public' | 'private', string> = { public: `${PROJECT.public}/shared`, private: `${PROJECT.private}/shared` };
const manifest = (tag: string) =>
  JSON.stringify({
    schemaVersion: 2,
    mediaType: MediaType.OciManifest,
    config: { mediaType: MediaType.OciConfig, digest: CONFIG.digest, size: CONFIG.data.length },
    layers: [{ mediaType: MediaType.OciLayerGzip, digest: LAYER.digest, size: LAYER.data.length }],
    annotations: { tag },
  });
const V1 = manifest('v1');
const DEL = manifest('del');
const V2 = manifest('v2');

interface Cell {
  mode: Mode;
  account: Account;
  kind: ProjectKind;
  repo: string;
  /** Upload sessions started by the administrator: [patched/completed, cancelled]. */
  sessions: [string, string];
}

interface Endpoint {
  name: string;
  /** Repository actions the request needs (docker semantics: writing needs pull as well). */
  needs: string[];
  ok: number;
  /** Also run with Basic credentials (each such request costs a password hash check). */
  basic?: true;
  send(c: Cell, auth: string | undefined): Promise<Reply>;
  /** The answer when allowed, when it depends on more than `ok` (cross-repository mounts). */
  allowed?(c: Cell): number;
}

const v2 = (c: Cell, rest: string) => `/v2/${c.repo}${rest}`;
const mount = (from: 'public' | 'private'): Endpoint => ({
  name: `mount from a ${from} repository`,
  needs: ['push', 'pull'],
  ok: 201,
  basic: from === 'private' ? true : undefined,
  send: (c, a) => call(srv, 'POST', v2(c, `/blobs/uploads/?mount=${MOUNTABLE[from].digest}&from=${SHARED[from]}`), a),
  // A source the caller may not read is never mounted: a plain upload starts instead.
  allowed: (c) => (granted(c.account, from).includes('pull') ? 201 : 202),
});

const ENDPOINTS: Endpoint[] = [
  { name: 'tags list', needs: ['pull'], ok: 200, basic: true, send: (c, a) => call(srv, 'GET', v2(c, '/tags/list'), a) },
  { name: 'manifest GET', needs: ['pull'], ok: 200, send: (c, a) => call(srv, 'GET', v2(c, '/manifests/v1'), a, undefined, { accept: MediaType.OciManifest }) },
  { name: 'manifest HEAD', needs: ['pull'], ok: 200, send: (c, a) => call(srv, 'HEAD', v2(c, `/manifests/${digestOf(V1)}`), a) },
  { name: 'blob GET', needs: ['pull'], ok: 200, send: (c, a) => call(srv, 'GET', v2(c, `/blobs/${LAYER.digest}`), a) },
  { name: 'blob HEAD', needs: ['pull'], ok: 200, send: (c, a) => call(srv, 'HEAD', v2(c, `/blobs/${CONFIG.digest}`), a) },
  { name: 'referrers', needs: ['pull'], ok: 200, send: (c, a) => call(srv, 'GET', v2(c, `/referrers/${digestOf(V1)}`), a) },
  { name: 'upload POST', needs: ['push', 'pull'], ok: 202, basic: true, send: (c, a) => call(srv, 'POST', v2(c, '/blobs/uploads/'), a) },
  {
    name: 'upload PATCH', needs: ['push', 'pull'], ok: 202,
    send: (c, a) => call(srv, 'PATCH', c.sessions[0], a, UPLOAD.data, { 'content-type': 'application/octet-stream' }),
  },
  { name: 'upload GET', needs: ['push', 'pull'], ok: 204, send: (c, a) => call(srv, 'GET', c.sessions[0], a) },
  { name: 'upload PUT', needs: ['push', 'pull'], ok: 201, send: (c, a) => call(srv, 'PUT', `${c.sessions[0]}?digest=${UPLOAD.digest}`, a) },
  { name: 'upload DELETE', needs: ['push', 'pull'], ok: 204, send: (c, a) => call(srv, 'DELETE', c.sessions[1], a) },
  mount('public'),
  mount('private'),
  {
    name: 'manifest PUT', needs: ['push', 'pull'], ok: 201,
    send: (c, a) => call(srv, 'PUT', v2(c, '/manifests/v2'), a, V2, { 'content-type': MediaType.OciManifest }),
  },
  { name: 'manifest DELETE', needs: ['delete'], ok: 202, basic: true, send: (c, a) => call(srv, 'DELETE', v2(c, `/manifests/${digestOf(DEL)}`), a) },
  { name: 'blob DELETE', needs: ['delete'], ok: 202, send: (c, a) => call(srv, 'DELETE', v2(c, `/blobs/${EXTRA.digest}`), a) },
];

const cells: Cell[] = [];
/** The Authorization header each account uses per mode (undefined: none; null: it cannot get a token). */
const authOf = new Map<string, string | undefined | null>();
const allRepos: string[] = [...Object.values(SHARED)];
const kindOfRepo = (repo: string): ProjectKind => KINDS.find((k) => repo.startsWith(`${PROJECT[k]}/`))!;

function tokenScopes(repos: string[]): string {
  return [...repos.map((r) => `repository:${r}:pull,push,delete,sign,*`), 'registry:catalog:*'].map((s) => `scope=${encodeURIComponent(s)}`).join('&');
}

/** A push of the matrix image into `repo`, two upload sessions, and the blob to delete. */
async function seed(repo: string, admin: string): Promise<[string, string]> {
  for (const b of [CONFIG, LAYER, EXTRA]) expect((await call(srv, 'POST', `/v2/${repo}/blobs/uploads/?digest=${b.digest}`, admin, b.data)).status).toBe(201);
  for (const [tag, body] of [['v1', V1], ['del', DEL]] as const) {
    expect((await call(srv, 'PUT', `/v2/${repo}/manifests/${tag}`, admin, body, { 'content-type': MediaType.OciManifest })).status).toBe(201);
  }
  const sessions: string[] = [];
  for (let i = 0; i < 2; i++) {
    const r = await call(srv, 'POST', `/v2/${repo}/blobs/uploads/`, admin);
    expect(r.status).toBe(202);
    sessions.push(r.headers.get('location')!);
  }
  return sessions as [string, string];
}

beforeAll(async () => {
  srv = await startTestServer({ auth: { enabled: true, lockout: { maxAccountFailures: 1_000_000, maxSourceFailures: 1_000_000 } } });
  world = await buildWorld(srv);
  const jobs: { mode: Mode; account: Account; kind: ProjectKind; repo: string }[] = [];
  for (const mode of MODES) for (const account of world.accounts) for (const kind of KINDS) jobs.push({ mode, account, kind, repo: `${PROJECT[kind]}/${mode}-${account.id}`.toLowerCase() });
  allRepos.push(...jobs.map((j) => j.repo));
  const tok = await call(srv, 'GET', `/token?service=portcullis&${tokenScopes(allRepos)}`, basicHeader(world.admin.login!));
  const admin = `Bearer ${tok.json<{ token: string }>().token}`;
  for (const from of ['public', 'private'] as const) {
    expect((await call(srv, 'POST', `/v2/${SHARED[from]}/blobs/uploads/?digest=${MOUNTABLE[from].digest}`, admin, MOUNTABLE[from].data)).status).toBe(201);
  }
  await pool(jobs, 6, async (j) => {
    cells.push({ ...j, sessions: await seed(j.repo, admin) });
  });
}, 120_000);
afterAll(async () => {
  await srv?.stop();
});

function parseChallenge(header: string | null): Record<string, string> {
  expect(header, 'WWW-Authenticate').toMatch(/^Bearer /);
  return Object.fromEntries([...header!.slice(7).matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!]));
}

/** Checks a refusal: 401 + challenge for those without (usable) credentials, 403 DENIED otherwise. */
function expectRefusal(res: Reply, method: string, refusedAs: 401 | 403, scope?: { repo: string; needs: string[] }): void {
  expect(res.status).toBe(refusedAs);
  if (method !== 'HEAD') expect(res.json<{ errors: { code: string }[] }>().errors[0]!.code).toBe(refusedAs === 401 ? 'UNAUTHORIZED' : 'DENIED');
  const ch = parseChallenge(res.headers.get('www-authenticate'));
  expect(ch.realm).toBe(`${srv.url}/token`);
  expect(ch.service).toBe('portcullis');
  if (refusedAs === 403) expect(ch.error).toBe('insufficient_scope');
  if (scope) {
    const [type, name, actions] = [ch.scope!.split(':')[0], ch.scope!.split(':').slice(1, -1).join(':'), ch.scope!.split(':').at(-1)!];
    expect({ type, name, actions: actions.split(',').sort() }).toEqual({ type: 'repository', name: scope.repo, actions: [...scope.needs].sort() });
  }
}

const authenticates = (a: Account): boolean => a.row.authenticates !== false && a.login !== undefined;
const refusal = (a: Account): 401 | 403 => (authenticates(a) ? 403 : 401);

describe('tokens from /token carry exactly what the matrix grants', () => {
  it('for every account (refused credentials get no token)', async () => {
    await pool(world.accounts, 4, async (a) => {
      const repos = KINDS.map((k) => `${PROJECT[k]}/bearer-${a.id}`.toLowerCase());
      const res = await call(srv, 'GET', `/token?service=portcullis&${tokenScopes(repos)}`, a.login ? basicHeader(a.login) : undefined);
      if (a.login && !authenticates(a)) {
        expect(res.status, a.id).toBe(401);
        expect(res.json<{ error: string }>().error).toBe('invalid_grant');
        authOf.set(`bearer:${a.id}`, null);
      } else {
        expect(res.status, a.id).toBe(200);
        const token = res.json<{ token: string }>().token;
        const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { access: { type: string; name: string; actions: string[] }[] };
        for (const [i, kind] of KINDS.entries()) {
          const entry = claims.access.find((e) => e.name === repos[i]);
          expect(entry?.actions.sort() ?? [], `${a.id} on ${kind}`).toEqual(granted(a, kind).sort());
        }
        const catalog = claims.access.find((e) => e.type === 'registry');
        expect(catalog?.actions ?? [], `${a.id} catalog`).toEqual(a.login ? ['*'] : []);
        authOf.set(`bearer:${a.id}`, `Bearer ${token}`);
      }
      authOf.set(`basic:${a.id}`, a.login ? basicHeader(a.login) : undefined);
    });
  });
});

/** Every account in both credential modes (except where /token refused it a token). */
async function eachAccount(fn: (a: Account, mode: Mode, auth: string | undefined) => Promise<void>): Promise<void> {
  for (const mode of MODES) {
    await pool(world.accounts, 4, async (a) => {
      const auth = authOf.get(`${mode}:${a.id}`);
      if (auth !== null) await fn(a, mode, auth);
    });
  }
}

describe('/v2/ and the catalog', () => {
  it('the base endpoint answers accounts and challenges everybody else', async () => {
    await eachAccount(async (a, mode, auth) => {
      const res = await call(srv, 'GET', '/v2/', auth);
      if (a.login && authenticates(a)) expect(res.status, `${mode} ${a.id}`).toBe(200);
      else expectRefusal(res, 'GET', 401);
    });
  });

  it('lists exactly the repositories each account may pull, on every page', async () => {
    await eachAccount(async (a, mode, auth) => {
      const res = await call(srv, 'GET', '/v2/_catalog?n=10000', auth);
      if (!a.login || !authenticates(a)) return expectRefusal(res, 'GET', 401);
      expect(res.status).toBe(200);
      const want = allRepos.filter((r) => granted(a, kindOfRepo(r)).includes('pull')).sort();
      expect(res.json<{ repositories: string[] }>().repositories, `${mode} ${a.id}`).toEqual(want);
      if (mode === 'bearer') {
        // Paging neither leaks names in Link headers nor loses any.
        const seen: string[] = [];
        let next: string | undefined = '/v2/_catalog?n=7';
        while (next) {
          const page = await call(srv, 'GET', next, auth);
          seen.push(...page.json<{ repositories: string[] }>().repositories);
          const link = page.headers.get('link');
          if (link) expect(want).toContain(decodeURIComponent(/last=([^&>]+)/.exec(link)![1]!));
          next = link ? /<([^>]+)>/.exec(link)![1] : undefined;
        }
        expect(seen).toEqual(want);
      }
    });
  });
});

describe('every /v2 repository endpoint, for every account, project kind and credential kind', () => {
  it('answers exactly as the matrix says', async () => {
    await pool(cells, 6, async (c) => {
      const auth = authOf.get(`${c.mode}:${c.account.id}`);
      if (auth === null) return; // refused at /token (checked above); its Basic cell covers /v2
      const have = granted(c.account, c.kind);
      for (const ep of ENDPOINTS) {
        if (c.mode === 'basic' && !ep.basic) continue;
        const res = await ep.send(c, auth);
        const label = `${c.mode} ${c.account.id} ${c.kind} ${ep.name}: ${res.text.slice(0, 200)}`;
        if (ep.needs.every((n) => have.includes(n))) {
          expect(res.status, label).toBe(ep.allowed ? ep.allowed(c) : ep.ok);
        } else {
          const method = ep.name.includes('HEAD') ? 'HEAD' : 'GET';
          try {
            expectRefusal(res, method, refusal(c.account), { repo: c.repo, needs: ep.needs });
          } catch (err) {
            throw new Error(`${label}\n${String(err)}`);
          }
          // Refusals say nothing about what is inside.
          for (const secret of ['v1', 'del', LAYER.digest]) if (ep.name === 'tags list' || ep.name.startsWith('manifest')) expect(res.text).not.toContain(`"${secret}"`);
        }
      }
    });
  }, 120_000);

  it('a private repository and a missing one look the same to those who may not see them', async () => {
    for (const a of world.accounts) {
      if (granted(a, 'private').includes('pull')) continue;
      const auth = authOf.get(`bearer:${a.id}`) ?? authOf.get(`basic:${a.id}`);
      const hidden = await call(srv, 'GET', `/v2/${PROJECT.private}/bearer-${a.id}/tags/list`.toLowerCase(), auth ?? undefined);
      const missing = await call(srv, 'GET', `/v2/${PROJECT.missing}/nothing-here/tags/list`, auth ?? undefined);
      expect([hidden.status, hidden.json<{ errors: { code: string }[] }>().errors[0]!.code], a.id).toEqual([
        missing.status,
        missing.json<{ errors: { code: string }[] }>().errors[0]!.code,
      ]);
    }
  });
});

apiMatrixSuite(() => ({ srv, world }));
