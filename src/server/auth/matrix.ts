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
  },
  {
    label: 'robot revoked',
    principal: robot({ actions: ['pull', 'push'], revoked: true }),
    role: null,
    granted: { public: '', private: '', missing: '' },
  },
];

/** The project argument for `authorize` for a project kind (named `proj`). */
export function matrixProject(kind: ProjectKind): { name: string; public: boolean } | null {
  return kind === 'missing' ? null : { name: 'proj', public: kind === 'public' };
}
