import type { RobotAction } from '../../identity/types.js';

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
