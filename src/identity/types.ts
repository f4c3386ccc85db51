/** The identity model: users, projects, memberships and robot accounts. */

export const ROLES = ['projectAdmin', 'maintainer', 'developer', 'guest'] as const;
export type Role = (typeof ROLES)[number];

/** Repository actions a principal can be granted. `*` is Docker's "everything" wildcard. */
export const REPOSITORY_ACTIONS = ['pull', 'push', 'delete', 'sign'] as const;
export type RepositoryAction = (typeof REPOSITORY_ACTIONS)[number];

/** Actions a robot account may be scoped to. */
export const ROBOT_ACTIONS = ['pull', 'push', 'delete'] as const;
export type RobotAction = (typeof ROBOT_ACTIONS)[number];

export interface User {
  id: string;
  name: string;
  admin: boolean;
  /** Bumped on every password change; refresh tokens carrying an older value stop working. */
  credentialVersion: number;
  createdAt: Date;
}

export interface Project {
  id: string;
  name: string;
  public: boolean;
  createdAt: Date;
}

export interface Member {
  projectId: string;
  userId: string;
  userName: string;
  role: Role;
}

export interface Robot {
  id: string;
  /** Full account name, `robot$<project>+<name>`. */
  name: string;
  projectId: string;
  projectName: string;
  actions: RobotAction[];
  expiresAt: Date | null;
  revoked: boolean;
  createdAt: Date;
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}
