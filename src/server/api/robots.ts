import { z } from 'zod/v4';
import { auditAction, requireProjectAdmin } from './context.js';
import { parse } from './errors.js';
import { pageOf, setPageHeaders } from './pagination.js';
import { param } from './route.js';
import type { ApiRoute } from './route.js';
import { CreateRobotBody, PageQuery, RobotCreated, RobotView } from './schemas.js';
import { robotView } from './views.js';

const DAY_MS = 86_400_000;

export const ROBOT_ROUTES: ApiRoute[] = [
  {
    method: 'GET', path: '/projects/:project/robots', operationId: 'listRobots', summary: 'List robot accounts (no secrets)', tag: 'robots',
    access: 'project-admin', query: PageQuery,
    responses: [{ status: 200, description: 'robots by name', schema: z.array(RobotView), paged: true }],
    async handler(req, reply, { auth }) {
      const { project } = await requireProjectAdmin(req, auth, param(req, 'project'));
      const page = pageOf(req);
      const { items, total } = await auth.identity.listRobots(project.name, page);
      setPageHeaders(req, reply, page, total);
      return items.map(robotView);
    },
  },
  {
    method: 'POST', path: '/projects/:project/robots', operationId: 'createRobot', tag: 'robots', access: 'project-admin', body: CreateRobotBody,
    summary: 'Create a robot account; its secret is in this answer and nowhere else',
    responses: [{ status: 201, description: 'created', schema: RobotCreated }],
    async handler(req, reply, { auth }) {
      const { project } = await requireProjectAdmin(req, auth, param(req, 'project'));
      const body = parse(CreateRobotBody, req.body, 'body');
      const expiresAt = body.expires_in_days ? new Date(Date.now() + body.expires_in_days * DAY_MS) : null;
      const { robot, secret } = await auth.identity.createRobot({ project: project.name, name: body.name, actions: body.actions, expiresAt });
      await auditAction(req, auth, 'robot.create', {
        detail: { robot: robot.name, actions: robot.actions, expires_at: robot.expiresAt ? robot.expiresAt.toISOString() : null },
      });
      return reply.code(201).header('cache-control', 'no-store').send({ ...robotView(robot), secret });
    },
  },
  {
    method: 'DELETE', path: '/projects/:project/robots/:robot', operationId: 'revokeRobot', tag: 'robots', access: 'project-admin',
    summary: 'Revoke a robot account (it stays listed as revoked)',
    responses: [{ status: 200, description: 'revoked', schema: RobotView }],
    async handler(req, _reply, { auth }) {
      const { project } = await requireProjectAdmin(req, auth, param(req, 'project'));
      const robot = await auth.identity.revokeRobot(project.name, param(req, 'robot'));
      await auditAction(req, auth, 'robot.revoke', { detail: { robot: robot.name } });
      return robotView(robot);
    },
  },
];
