import { z } from 'zod/v4';
import { auditAction, apiPrincipal, requireAdmin, requireProjectAdmin, visibleProject } from './context.js';
import { parse } from './errors.js';
import { pageOf, setPageHeaders } from './pagination.js';
import { param } from './route.js';
import type { ApiRoute } from './route.js';
import { CreateProjectBody, ErrorBody, PageQuery, ProjectView, UpdateProjectBody } from './schemas.js';
import { projectView } from './views.js';
import type { ProjectViewer } from '../../identity/store.js';

export const PROJECT_ROUTES: ApiRoute[] = [
  {
    method: 'GET', path: '/projects', operationId: 'listProjects', tag: 'projects', access: 'public', query: PageQuery,
    summary: 'List the projects the caller may see (public ones, those they belong to; all for administrators)',
    responses: [{ status: 200, description: 'projects by name', schema: z.array(ProjectView), paged: true }],
    async handler(req, reply, { auth }) {
      const p = await apiPrincipal(req, auth);
      let viewer: ProjectViewer = { kind: 'public' };
      if (p.kind === 'user') viewer = p.admin ? { kind: 'all' } : { kind: 'user', userId: p.id };
      const page = pageOf(req);
      if (p.kind === 'robot') {
        const own = await auth.identity.getProject(p.project);
        if (own) viewer = { kind: 'robot', projectId: own.id };
      }
      const { items, total } = await auth.identity.listProjects(viewer, page);
      setPageHeaders(req, reply, page, total);
      return items.map(projectView);
    },
  },
  {
    method: 'POST', path: '/projects', operationId: 'createProject', summary: 'Create a project', tag: 'projects', access: 'admin',
    body: CreateProjectBody,
    responses: [{ status: 201, description: 'created', schema: ProjectView }, { status: 409, description: 'name taken', schema: ErrorBody }],
    async handler(req, reply, { auth }) {
      await requireAdmin(req, auth);
      const body = parse(CreateProjectBody, req.body, 'body');
      const project = await auth.identity.createProject(body);
      await auditAction(req, auth, 'project.create', { detail: { project: project.name, public: project.public } });
      return reply.code(201).send(projectView(project));
    },
  },
  {
    method: 'GET', path: '/projects/:project', operationId: 'getProject', summary: 'Get a project', tag: 'projects', access: 'project-visible',
    responses: [{ status: 200, description: 'the project', schema: ProjectView }, { status: 404, description: 'absent or not visible', schema: ErrorBody }],
    async handler(req, _reply, { auth }) {
      const { project } = await visibleProject(req, auth, param(req, 'project'));
      return projectView(project);
    },
  },
  {
    method: 'PATCH', path: '/projects/:project', operationId: 'updateProject', summary: 'Make a project public or private', tag: 'projects',
    access: 'project-admin', body: UpdateProjectBody,
    responses: [{ status: 200, description: 'updated', schema: ProjectView }],
    async handler(req, _reply, { auth }) {
      const { project } = await requireProjectAdmin(req, auth, param(req, 'project'));
      const body = parse(UpdateProjectBody, req.body, 'body');
      const updated = await auth.identity.setProjectPublic(project.name, body.public);
      await auditAction(req, auth, 'project.update', { detail: { project: project.name, public: body.public } });
      return projectView(updated);
    },
  },
  {
    method: 'DELETE', path: '/projects/:project', operationId: 'deleteProject', summary: 'Delete a project (with its members and robots)',
    tag: 'projects', access: 'admin',
    responses: [{ status: 204, description: 'deleted' }],
    async handler(req, reply, { auth }) {
      await requireAdmin(req, auth);
      const name = param(req, 'project');
      await auth.identity.deleteProject(name);
      await auditAction(req, auth, 'project.delete', { detail: { project: name } });
      return reply.code(204).send();
    },
  },
];
