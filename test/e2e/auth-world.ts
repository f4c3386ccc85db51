/**
 * The accounts of the authorisation matrix as real users, projects and robots on a real server,
 * set up once through the management API. Each AUTHZ_MATRIX row becomes one account (robots:
 * one per home project, so the row "robot of another project" is any live robot used on the
 * other project).
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { expect } from 'vitest';
import { AUTHZ_MATRIX, type MatrixPrincipal, type ProjectKind } from '../../src/server/auth/matrix.js';
import { TEST_ADMIN_PASSWORD, type TestServer } from '../../src/testing/server.js';

export const KINDS: readonly ProjectKind[] = ['public', 'private', 'missing'];
export const PROJECT: Record<ProjectKind, string> = { public: 'pub', private: 'priv', missing: 'ghost' };
export const PASSWORD = 'matrix-password-1';

const row = (label: string): MatrixPrincipal => {
  const r = AUTHZ_MATRIX.find((x) => x.label === label);
  if (!r) throw new Error(`AUTHZ_MATRIX has no row ${label}`);
  return r;
};
export const OTHER_PROJECT_ROBOT = row('robot of another project');

export interface Account {
  /** Short, name-safe id (used in repository names). */
  id: string;
  row: MatrixPrincipal;
  /** Basic credentials; none for anonymous. */
  login?: { username: string; password: string };
  /** Robots: the project kind they belong to. */
  home?: ProjectKind;
}

export const basicHeader = (l: { username: string; password: string }): string =>
  `Basic ${Buffer.from(`${l.username}:${l.password}`).toString('base64')}`;

/** The matrix row that applies to an account on a project of this kind. */
export function rowFor(a: Account, kind: ProjectKind): MatrixPrincipal {
  const robot = a.row.principal.kind === 'robot';
  return robot && a.row.authenticates !== false && a.home !== kind ? OTHER_PROJECT_ROBOT : a.row;
}

export function granted(a: Account, kind: ProjectKind): string[] {
  return rowFor(a, kind).granted[kind].split(' ').filter(Boolean);
}

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  json<T = unknown>(): T;
}

export async function call(srv: TestServer, method: string, path: string, auth?: string, body?: Buffer | string | object, headers: Record<string, string> = {}): Promise<Reply> {
  const h: Record<string, string> = { ...headers };
  if (auth) h.authorization = auth;
  let payload: Buffer | string | undefined;
  if (body !== undefined && !Buffer.isBuffer(body) && typeof body !== 'string') {
    payload = JSON.stringify(body);
    h['content-type'] ??= 'application/json';
  } else payload = body;
  const res = await fetch(`${srv.url}${path}`, { method, headers: h, ...(payload !== undefined ? { body: payload } : {}), redirect: 'manual' });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: <T>() => JSON.parse(text) as T };
}

/** Runs fn over items with at most `limit` at a time. */
export async function pool<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export interface World {
  accounts: Account[];
  admin: Account;
  /** Bearer header with the admin's identity token, for set-up calls to /api/v1. */
  adminApi: string;
  api(method: string, path: string, body?: object): Promise<Reply>;
}

const ROBOT_SHORT: Record<string, string> = {
  'robot pull': 'pull',
  'robot pull,push,delete (expires later)': 'rw',
  'robot push only': 'push',
  'robot expired': 'expired',
  'robot revoked': 'revoked',
};

/** Creates the projects, users, memberships and robots for every AUTHZ_MATRIX row. */
export async function buildWorld(srv: TestServer): Promise<World> {
  const adminLogin = { username: 'admin', password: TEST_ADMIN_PASSWORD };
  const tok = await call(srv, 'GET', '/token?service=portcullis&offline_token=true', basicHeader(adminLogin));
  expect(tok.status).toBe(200);
  const adminApi = `Bearer ${tok.json<{ refresh_token: string }>().refresh_token}`;
  const api = async (method: string, path: string, body?: object): Promise<Reply> => call(srv, method, `/api/v1${path}`, adminApi, body);
  const ok = async (method: string, path: string, body?: object): Promise<Reply> => {
    const r = await api(method, path, body);
    expect(r.status, `${method} ${path}: ${r.text}`).toBeLessThan(300);
    return r;
  };
  await ok('POST', '/projects', { name: PROJECT.public, public: true });
  await ok('POST', '/projects', { name: PROJECT.private, public: false });

  const accounts: Account[] = [];
  let admin: Account | undefined;
  const expired: string[] = [];
  for (const r of AUTHZ_MATRIX) {
    const p = r.principal;
    if (p.kind === 'anonymous') accounts.push({ id: 'anon', row: r });
    else if (p.kind === 'user' && p.admin) accounts.push((admin = { id: 'admin', row: r, login: adminLogin }));
    else if (p.kind === 'user') {
      const name = r.role ? `u-${r.role.toLowerCase()}` : 'outsider';
      await ok('POST', '/users', { name, password: PASSWORD });
      if (r.role) for (const kind of ['public', 'private'] as const) await ok('POST', `/projects/${PROJECT[kind]}/members`, { user: name, role: r.role });
      accounts.push({ id: name, row: r, login: { username: name, password: PASSWORD } });
    } else if (r !== OTHER_PROJECT_ROBOT) {
      const short = ROBOT_SHORT[r.label];
      if (!short) throw new Error(`no robot name for ${r.label}`);
      for (const home of ['public', 'private'] as const) {
        const project = PROJECT[home];
        const body = { name: short, actions: p.actions, ...(p.expiresAt ? { expires_in_days: 1 } : {}) };
        const created = (await ok('POST', `/projects/${project}/robots`, body)).json<{ name: string; secret: string }>();
        if (p.revoked) await ok('DELETE', `/projects/${project}/robots/${short}`);
        if (p.expiresAt && p.expiresAt.getTime() < Date.now()) expired.push(created.name);
        accounts.push({ id: `r-${short}-${project}`, row: r, home, login: { username: created.name, password: created.secret } });
      }
    }
  }
  if (expired.length > 0) {
    // No API makes a robot expire early (nor should one); the clock is moved on in the database instead.
    const db = new Database(join(srv.dataDir, 'metadata.db'));
    try {
      const update = db.prepare('UPDATE robots SET expires_at = ? WHERE name = ?');
      for (const name of expired) update.run('2000-01-01T00:00:00.000Z', name);
    } finally {
      db.close();
    }
  }
  if (!admin) throw new Error('AUTHZ_MATRIX has no system administrator row');
  return { accounts, admin, adminApi, api };
}
