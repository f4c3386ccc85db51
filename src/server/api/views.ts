/** Domain objects as the API shows them (snake_case, ISO times, never a hash or secret). */
import type { Member, Project, Robot, User } from '../../identity/types.js';

export const userView = (u: User) => ({ name: u.name, admin: u.admin, created_at: u.createdAt.toISOString() });
export const projectView = (p: Project) => ({ name: p.name, public: p.public, created_at: p.createdAt.toISOString() });
export const memberView = (m: Member) => ({ user: m.userName, role: m.role });
export const robotView = (r: Robot) => ({
  name: r.name,
  project: r.projectName,
  actions: r.actions,
  expires_at: r.expiresAt ? r.expiresAt.toISOString() : null,
  revoked: r.revoked,
  created_at: r.createdAt.toISOString(),
});
