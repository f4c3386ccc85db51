/**
 * The authorisation core: which of the requested actions a principal gets on a repository.
 * Pure — the caller looks up the project and the principal's role first.
 */
import type { Role } from '../../identity/types.js';
import type { Principal } from './principal.js';

export type Action = 'pull' | 'push' | 'delete' | 'sign' | '*';

/** What each project role may do. `*` is granted only to those who may do everything. */
export const ROLE_ACTIONS: Record<Role, readonly Action[]> = {
  guest: ['pull'],
  developer: ['pull', 'push'],
  maintainer: ['pull', 'push', 'delete', 'sign'],
  projectAdmin: ['pull', 'push', 'delete', 'sign', '*'],
};

const EVERYTHING: readonly Action[] = ['pull', 'push', 'delete', 'sign', '*'];

export interface AuthorizeInput {
  principal: Principal;
  /** The project the repository belongs to; null when no such project exists. */
  project: { name: string; public: boolean } | null;
  /** The user principal's role in that project (null for non-members, robots, anonymous). */
  role: Role | null;
  /** Requested actions (unknown action names are never granted). */
  requested: readonly string[];
  now: Date;
}

function allowedActions(input: AuthorizeInput): readonly Action[] {
  const { principal, project, role, now } = input;
  switch (principal.kind) {
    case 'user':
      if (principal.admin) return EVERYTHING;
      if (!project) return [];
      if (role) return ROLE_ACTIONS[role];
      return project.public ? ['pull'] : [];
    case 'robot':
      if (!project || principal.project !== project.name) return [];
      if (principal.revoked) return [];
      if (principal.expiresAt && principal.expiresAt.getTime() <= now.getTime()) return [];
      return principal.actions;
    case 'anonymous':
      return project?.public ? ['pull'] : [];
  }
}

/** The requested actions the principal is allowed, deduplicated, in request order. */
export function authorize(input: AuthorizeInput): Action[] {
  const allowed = allowedActions(input);
  const granted: Action[] = [];
  for (const action of input.requested) {
    if ((allowed as readonly string[]).includes(action) && !granted.includes(action as Action)) granted.push(action as Action);
  }
  return granted;
}

/**
 * `registry:catalog:*` goes to any authenticated account. The catalog endpoint must still filter
 * its names through `canPull`, so nobody learns the repositories of private projects they are
 * not part of; anonymous callers get no catalog at all.
 */
export function authorizeCatalog(principal: Principal, requested: readonly string[]): string[] {
  if (principal.kind === 'anonymous') return [];
  if (principal.kind === 'robot' && principal.revoked) return [];
  return requested.filter((a) => a === '*');
}
