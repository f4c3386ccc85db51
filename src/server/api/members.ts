import { z } from 'zod/v4';
import { auditAction, requireProjectAdmin, requireProjectMember } from './context.js';
import { parse } from './errors.js';
import { pageOf, setPageHeaders } from './pagination.js';
import { param } from './route.js';
import type { ApiRoute } from './route.js';
import { AddMemberBody, MemberView, PageQuery, UpdateMemberBody } from './schemas.js';
import { memberView } from './views.js';

export const MEMBER_ROUTES: ApiRoute[] = [
  {
    method: 'GET', path: '/projects/:project/members', operationId: 'listMembers', summary: 'List members (members and administrators)',
    tag: 'members', access: 'project-member', query: PageQuery,
    responses: [{ status: 200, description: 'members by user name', schema: z.array(MemberView), paged: true }],
    async handler(req, reply, { auth }) {
      const access = await requireProjectMember(req, auth, param(req, 'project'));
      const page = pageOf(req);
      const { items, total } = await auth.identity.listMembers(access.project.name, page);
      setPageHeaders(req, reply, page, total);
      return items.map(memberView);
    },
  },
  {
    method: 'POST', path: '/projects/:project/members', operationId: 'addMember', summary: 'Add a member with a role', tag: 'members',
    access: 'project-admin', body: AddMemberBody,
    responses: [{ status: 201, description: 'added', schema: MemberView }],
    async handler(req, reply, { auth }) {
      const { project } = await requireProjectAdmin(req, auth, param(req, 'project'));
      const body = parse(AddMemberBody, req.body, 'body');
      const member = await auth.identity.addMember(project.name, body.user, body.role);
      await auditAction(req, auth, 'member.add', { detail: { project: project.name, user: body.user, role: body.role } });
      return reply.code(201).send(memberView(member));
    },
  },
  {
    method: 'PUT', path: '/projects/:project/members/:user', operationId: 'setMemberRole', summary: "Change a member's role", tag: 'members',
    access: 'project-admin', body: UpdateMemberBody,
    responses: [{ status: 200, description: 'changed', schema: MemberView }],
    async handler(req, _reply, { auth }) {
      const { project } = await requireProjectAdmin(req, auth, param(req, 'project'));
      const body = parse(UpdateMemberBody, req.body, 'body');
      const user = param(req, 'user');
      const member = await auth.identity.setMemberRole(project.name, user, body.role);
      await auditAction(req, auth, 'member.update', { detail: { project: project.name, user, role: body.role } });
      return memberView(member);
    },
  },
  {
    method: 'DELETE', path: '/projects/:project/members/:user', operationId: 'removeMember', summary: 'Remove a member', tag: 'members',
    access: 'project-admin',
    responses: [{ status: 204, description: 'removed' }],
    async handler(req, reply, { auth }) {
      const { project } = await requireProjectAdmin(req, auth, param(req, 'project'));
      const user = param(req, 'user');
      await auth.identity.removeMember(project.name, user);
      await auditAction(req, auth, 'member.remove', { detail: { project: project.name, user } });
      return reply.code(204).send();
    },
  },
];
