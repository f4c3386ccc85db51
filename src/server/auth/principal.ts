import type { Robot, RobotAction, User } from '../../identity/types.js';

/** Who is making a request, once credentials are checked. */
export type Principal =
  | { kind: 'anonymous' }
  | { kind: 'user'; id: string; name: string; admin: boolean }
  | {
      kind: 'robot';
      id: string;
      name: string;
      /** The one project the robot belongs to. */
      project: string;
      actions: RobotAction[];
      expiresAt: Date | null;
      revoked: boolean;
    };

export const ANONYMOUS: Principal = { kind: 'anonymous' };

export function principalName(p: Principal): string | null {
  return p.kind === 'anonymous' ? null : p.name;
}

export function userPrincipal(u: User): Extract<Principal, { kind: 'user' }> {
  return { kind: 'user', id: u.id, name: u.name, admin: u.admin };
}

export function robotPrincipal(r: Robot): Extract<Principal, { kind: 'robot' }> {
  return { kind: 'robot', id: r.id, name: r.name, project: r.projectName, actions: r.actions, expiresAt: r.expiresAt, revoked: r.revoked };
}
