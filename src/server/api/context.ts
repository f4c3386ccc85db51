/** Who is calling /api/v1, and what they may do. */
import type { FastifyRequest } from 'fastify';
import type { AuditEventInput } from '../../audit/event.js';
import type { Project, Role } from '../../identity/types.js';
import { clientInfo, parseAuthorization } from '../auth/header.js';
import type { Principal } from '../auth/principal.js';
import type { AuthService } from '../auth/service.js';
import { ApiError, forbidden, notFound } from './errors.js';

export type UserPrincipal = Extract<Principal, { kind: 'user' }>;

const principals = new WeakMap<FastifyRequest, Principal>();

export const unauthorized = (message: string): ApiError =>
  new ApiError(401, [{ code: 'UNAUTHORIZED', message }], { 'www-authenticate': 'Basic realm="portcullis", charset="UTF-8"' });

/** Basic credentials (user or robot) or a Bearer identity token from `docker login`; none is anonymous. */
export async function apiPrincipal(req: FastifyRequest, auth: AuthService): Promise<Principal> {
  const cached = principals.get(req);
  if (cached) return cached;
  const creds = parseAuthorization(req.headers.authorization);
  let principal: Principal;
  if (creds.kind === 'none') principal = { kind: 'anonymous' };
  else if (creds.kind === 'basic') {
    const login = await auth.login(creds.username, creds.password, clientInfo(req));
    if (!login.ok) throw unauthorized(login.reason === 'locked' ? 'too many failed logins: try again later' : 'invalid credentials');
    principal = login.principal;
  } else if (creds.kind === 'bearer') {
    const p = await auth.principalFromRefreshToken(creds.token);
    if (!p) throw unauthorized('invalid or expired token');
    principal = p;
  } else throw unauthorized('malformed Authorization header');
  principals.set(req, principal);
  return principal;
}

export async function requireUser(req: FastifyRequest, auth: AuthService): Promise<UserPrincipal> {
  const p = await apiPrincipal(req, auth);
  if (p.kind === 'anonymous') throw unauthorized('authentication required');
  if (p.kind === 'robot') throw forbidden('robot accounts cannot use the management API');
  return p;
}

export async function requireAdmin(req: FastifyRequest, auth: AuthService): Promise<UserPrincipal> {
  const user = await requireUser(req, auth);
  if (!user.admin) throw forbidden('system administrators only');
  return user;
}

export interface ProjectAccess {
  project: Project;
  role: Role | null;
  admin: boolean;
}

/**
 * The project if the caller may see it. A private project the caller is not part of answers
 * 404, exactly like a missing one, so its name does not leak.
 */
export async function visibleProject(req: FastifyRequest, auth: AuthService, name: string): Promise<ProjectAccess> {
  const p = await apiPrincipal(req, auth);
  const project = await auth.identity.getProject(name);
  if (!project) throw notFound(`project "${name}"`);
  const admin = p.kind === 'user' && p.admin;
  const role = p.kind === 'user' ? await auth.identity.roleOf(project.id, p.id) : null;
  const robotOwn = p.kind === 'robot' && p.project === project.name;
  if (!project.public && !admin && !role && !robotOwn) throw notFound(`project "${name}"`);
  return { project, role, admin };
}

/**
 * Members of the project (any role) or system administrators. Credentials come first: anonymous
 * callers are challenged and robots refused whatever the project, so neither learns which
 * private projects exist.
 */
export async function requireProjectMember(req: FastifyRequest, auth: AuthService, name: string): Promise<ProjectAccess & { user: UserPrincipal }> {
  const user = await requireUser(req, auth);
  const access = await visibleProject(req, auth, name);
  if (!access.admin && !access.role) throw forbidden(`members of "${name}" only`);
  return { ...access, user };
}

/** Project administrators of this project, or system administrators (credentials checked first, as above). */
export async function requireProjectAdmin(req: FastifyRequest, auth: AuthService, name: string): Promise<ProjectAccess & { user: UserPrincipal }> {
  const access = await requireProjectMember(req, auth, name);
  if (!access.admin && access.role !== 'projectAdmin') throw forbidden(`project administrators of "${name}" only`);
  return access;
}

/** An audit event for a management action by the calling principal. */
export async function auditAction(
  req: FastifyRequest,
  auth: AuthService,
  action: string,
  extra: Partial<AuditEventInput> = {},
): Promise<void> {
  const p = await apiPrincipal(req, auth);
  const client = clientInfo(req);
  await auth.audit.record({
    actor: p.kind === 'anonymous' ? { type: 'anonymous', name: null } : { type: p.kind, name: p.name },
    source: client.source,
    userAgent: client.userAgent,
    action,
    outcome: 'success',
    ...extra,
  });
}
