import { ApiError, forbidden, notFound, parse } from './errors.js';
import { apiPrincipal, auditAction, requireAdmin, requireUser, unauthorized } from './context.js';
import { pageOf, setPageHeaders } from './pagination.js';
import { param } from './route.js';
import type { ApiRoute } from './route.js';
import { ChangePasswordBody, CreateUserBody, ErrorBody, MeView, PageQuery, UserView } from './schemas.js';
import { userView } from './views.js';
import { z } from 'zod/v4';

export const USER_ROUTES: ApiRoute[] = [
  {
    method: 'GET', path: '/me', operationId: 'getMe', summary: 'The calling account', tag: 'users', access: 'user',
    responses: [{ status: 200, description: 'the caller', schema: MeView }],
    async handler(req, _reply, { auth }) {
      const p = await apiPrincipal(req, auth);
      if (p.kind === 'anonymous') throw unauthorized('authentication required');
      return { kind: p.kind, name: p.name, admin: p.kind === 'user' && p.admin };
    },
  },
  {
    method: 'GET', path: '/users', operationId: 'listUsers', summary: 'List users', tag: 'users', access: 'admin', query: PageQuery,
    responses: [{ status: 200, description: 'users by name', schema: z.array(UserView), paged: true }],
    async handler(req, reply, { auth }) {
      await requireAdmin(req, auth);
      const page = pageOf(req);
      const { items, total } = await auth.identity.listUsers(page);
      setPageHeaders(req, reply, page, total);
      return items.map(userView);
    },
  },
  {
    method: 'POST', path: '/users', operationId: 'createUser', summary: 'Create a user', tag: 'users', access: 'admin', body: CreateUserBody,
    responses: [{ status: 201, description: 'created', schema: UserView }, { status: 409, description: 'name taken', schema: ErrorBody }],
    async handler(req, reply, { auth }) {
      await requireAdmin(req, auth);
      const body = parse(CreateUserBody, req.body, 'body');
      const user = await auth.identity.createUser(body);
      await auditAction(req, auth, 'user.create', { detail: { user: user.name, admin: user.admin } });
      return reply.code(201).send(userView(user));
    },
  },
  {
    method: 'GET', path: '/users/:name', operationId: 'getUser', summary: 'Get a user', tag: 'users', access: 'admin-or-self',
    responses: [{ status: 200, description: 'the user', schema: UserView }],
    async handler(req, _reply, { auth }) {
      const caller = await requireUser(req, auth);
      const name = param(req, 'name');
      if (!caller.admin && caller.name !== name) throw forbidden('system administrators only');
      const user = await auth.identity.getUser(name);
      if (!user) throw notFound(`user "${name}"`);
      return userView(user);
    },
  },
  {
    method: 'DELETE', path: '/users/:name', operationId: 'deleteUser', summary: 'Delete a user', tag: 'users', access: 'admin',
    responses: [{ status: 204, description: 'deleted' }, { status: 409, description: 'the last administrator', schema: ErrorBody }],
    async handler(req, reply, { auth }) {
      await requireAdmin(req, auth);
      const name = param(req, 'name');
      await auth.identity.deleteUser(name);
      await auditAction(req, auth, 'user.delete', { detail: { user: name } });
      return reply.code(204).send();
    },
  },
  {
    method: 'PUT', path: '/users/:name/password', operationId: 'changePassword', summary: 'Change a password', tag: 'users',
    access: 'admin-or-self', body: ChangePasswordBody,
    responses: [{ status: 204, description: 'changed; refresh tokens issued before stop working' }],
    async handler(req, reply, { auth }) {
      const caller = await requireUser(req, auth);
      const name = param(req, 'name');
      const body = parse(ChangePasswordBody, req.body, 'body');
      if (caller.name === name) {
        // Your own password: prove you know the current one (a stolen identity token is not enough).
        const ok = body.old_password !== undefined && (await auth.identity.verifyUserPassword(name, body.old_password));
        if (!ok) throw ApiError.of(400, 'INVALID', 'the current password is wrong', 'old_password');
      } else if (!caller.admin) throw forbidden('system administrators only');
      await auth.identity.setPassword(name, body.password);
      await auditAction(req, auth, 'user.password', { detail: { user: name } });
      return reply.code(204).send();
    },
  },
];
