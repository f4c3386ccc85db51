/**
 * The authorisation matrix as data: for each kind of principal and each kind of project, the
 * repository actions it is granted. Written out by hand (not derived from authorize.ts), so the
 * unit tests here and the /v2 acceptance tests can check the implementation against it.
 */
import type { Role } from '../../identity/types.js';
import type { Principal } from './principal.js';

export type ProjectKind = 'public' | 'private' | 'missing';
export const PROJECT_KINDS: readonly ProjectKind[] = ['public', 'private', 'missing'];
export const MATRIX_ACTIONS = ['pull', 'push', 'delete', 'sign', '*'] as const;

export interface MatrixPrincipal {
  label: string;
  /** The principal, for a project named `proj` (robots belong to `proj` unless said otherwise). */
  principal: Principal;
  role: Role | null;
  /** Granted actions per project kind, space-separated. */
  granted: Record<ProjectKind, string>;
  /** False for credentials that are refused outright (401), whatever is asked for. */
  authenticates?: false;
}

const FUTURE = new Date('2999-01-01T00:00:00Z');
const PAST = new Date('2000-01-01T00:00:00Z');
const user = (admin = false): Principal => ({ kind: 'user', id: 'u1', name: 'someone', admin });
const robot = (over: Partial<Extract<Principal, { kind: 'robot' }>>): Principal => ({
  kind: 'robot',
  id: 'r1',
  name: 'robot$proj+ci',
  project: 'proj',
  actions: ['pull'],
  expiresAt: null,
  revoked: false,
  ...over,
});

export const AUTHZ_MATRIX: readonly MatrixPrincipal[] = [
  { label: 'anonymous', principal: { kind: 'anonymous' }, role: null, granted: { public: 'pull', private: '', missing: '' } },
  {
    label: 'system admin (no membership)',
    principal: user(true),
    role: null,
    granted: { public: 'pull push delete sign *', private: 'pull push delete sign *', missing: 'pull push delete sign *' },
  },
  { label: 'user, not a member', principal: user(), role: null, granted: { public: 'pull', private: '', missing: '' } },
  { label: 'guest', principal: user(), role: 'guest', granted: { public: 'pull', private: 'pull', missing: '' } },
  { label: 'developer', principal: user(), role: 'developer', granted: { public: 'pull push', private: 'pull push', missing: '' } },
  {
    label: 'maintainer',
    principal: user(),
    role: 'maintainer',
    granted: { public: 'pull push delete sign', private: 'pull push delete sign', missing: '' },
  },
  {
    label: 'projectAdmin',
    principal: user(),
    role: 'projectAdmin',
    granted: { public: 'pull push delete sign *', private: 'pull push delete sign *', missing: '' },
  },
  { label: 'robot pull', principal: robot({}), role: null, granted: { public: 'pull', private: 'pull', missing: '' } },
  {
    label: 'robot pull,push,delete (expires later)',
    principal: robot({ actions: ['pull', 'push', 'delete'], expiresAt: FUTURE }),
    role: null,
    granted: { public: 'pull push delete', private: 'pull push delete', missing: '' },
  },
  {
    label: 'robot push only',
    principal: robot({ actions: ['push'] }),
    role: null,
    granted: { public: 'push', private: 'push', missing: '' },
  },
  {
    label: 'robot of another project',
    principal: robot({ project: 'other', name: 'robot$other+ci', actions: ['pull', 'push', 'delete'] }),
    role: null,
    granted: { public: '', private: '', missing: '' },
  },
  {
    label: 'robot expired',
    principal: robot({ actions: ['pull', 'push'], expiresAt: PAST }),
    role: null,
    granted: { public: '', private: '', missing: '' },
    authenticates: false,
  },
  {
    label: 'robot revoked',
    principal: robot({ actions: ['pull', 'push'], revoked: true }),
    role: null,
    granted: { public: '', private: '', missing: '' },
    authenticates: false,
  },
];

/** The project argument for `authorize` for a project kind (named `proj`). */
export function matrixProject(kind: ProjectKind): { name: string; public: boolean } | null {
  return kind === 'missing' ? null : { name: 'proj', public: kind === 'public' };
}

/**
 * What the /api/v1 answers each principal of AUTHZ_MATRIX (by label), per access class of the
 * routes (`ApiRoute.access`): `ok`, or the HTTP status. Project classes give three answers, for a
 * public, a private and a missing project. `other-user` is an admin-or-self route on someone
 * else's name, `own-user` the same route on the caller's own name. Written out by hand, like
 * AUTHZ_MATRIX; the end-to-end matrix test holds the server to it.
 */
export const API_COLUMNS = ['public', 'user', 'admin', 'other-user', 'own-user', 'project-visible', 'project-member', 'project-admin'] as const;
export type ApiColumn = (typeof API_COLUMNS)[number];

const apiRow = (...cells: string[]): Record<ApiColumn, string> =>
  Object.fromEntries(API_COLUMNS.map((c, i) => [c, cells[i] ?? ''])) as Record<ApiColumn, string>;
const MEMBER = apiRow('ok', 'ok', '403', '403', 'ok', 'ok ok 404', 'ok ok 404', '403 403 404');
const OWN_ROBOT = apiRow('ok', 'ok', '403', '403', '403', 'ok ok 404', '403 403 403', '403 403 403');
const REFUSED = apiRow('401', '401', '401', '401', '401', '401 401 401', '401 401 401', '401 401 401');

//                                               public user   admin  other  own    project-visible project-member  project-admin
export const API_MATRIX: Record<string, Record<ApiColumn, string>> = {
  anonymous: apiRow(                             'ok',  '401', '401', '401', '401', 'ok 404 404',   '401 401 401',  '401 401 401'),
  'system admin (no membership)': apiRow(        'ok',  'ok',  'ok',  'ok',  'ok',  'ok ok 404',    'ok ok 404',    'ok ok 404'),
  'user, not a member': apiRow(                  'ok',  'ok',  '403', '403', 'ok',  'ok 404 404',   '403 404 404',  '403 404 404'),
  guest: MEMBER,
  developer: MEMBER,
  maintainer: MEMBER,
  projectAdmin: apiRow(                          'ok',  'ok',  '403', '403', 'ok',  'ok ok 404',    'ok ok 404',    'ok ok 404'),
  'robot pull': OWN_ROBOT,
  'robot pull,push,delete (expires later)': OWN_ROBOT,
  'robot push only': OWN_ROBOT,
  'robot of another project': apiRow(            'ok',  'ok',  '403', '403', '403', 'ok 404 404',   '403 403 403',  '403 403 403'),
  'robot expired': REFUSED,
  'robot revoked': REFUSED,
};

/** The expected /api/v1 answer of a principal for a column (and project kind, for project columns). */
export function apiExpectation(label: string, column: ApiColumn, kind: ProjectKind = 'public'): string {
  const row = API_MATRIX[label];
  if (!row) throw new Error(`no API_MATRIX row for ${label}`);
  const cells = row[column].split(' ');
  return (column.startsWith('project-') ? cells[PROJECT_KINDS.indexOf(kind)] : cells[0]) ?? '';
}
