/** Row ↔ model conversions and small helpers shared by the identity store. */
import type { Selectable } from 'kysely';
import { IdentityError } from './errors.js';
import { checkPasswordPolicy } from './password.js';
import type { ProjectsTable, RobotsTable, UsersTable } from './schema.js';
import { ROBOT_ACTIONS } from './types.js';
import type { Project, Robot, RobotAction, User } from './types.js';

export function toUser(row: Selectable<UsersTable>): User {
  return {
    id: row.id,
    name: row.name,
    admin: Number(row.admin) === 1,
    credentialVersion: Number(row.credential_version),
    createdAt: new Date(row.created_at),
  };
}

export function toProject(row: Selectable<ProjectsTable>): Project {
  return { id: row.id, name: row.name, public: Number(row.public) === 1, createdAt: new Date(row.created_at) };
}

export function toRobot(row: Selectable<RobotsTable> & { project_name: string }): Robot {
  return {
    id: row.id,
    name: row.name,
    projectId: row.project_id,
    projectName: row.project_name,
    actions: row.actions.split(',').filter((a): a is RobotAction => (ROBOT_ACTIONS as readonly string[]).includes(a)),
    expiresAt: row.expires_at === null ? null : new Date(row.expires_at),
    revoked: Number(row.revoked) === 1,
    createdAt: new Date(row.created_at),
  };
}

/**
 * Inserts, turning a uniqueness violation (another request or process won a race past our
 * existence check) into the same CONFLICT the check gives.
 */
export async function insertOrConflict(insert: () => Promise<unknown>, exists: () => Promise<boolean>, conflict: IdentityError): Promise<void> {
  try {
    await insert();
  } catch (err) {
    if (await exists().catch(() => false)) throw conflict;
    throw err;
  }
}

export function validPassword(password: string): void {
  const problem = checkPasswordPolicy(password);
  if (problem) throw new IdentityError('INVALID', problem, 'password');
}

