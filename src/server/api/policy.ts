/** Per-project and system policies: read, set (a new version each time), history. */
import { z } from 'zod/v4';
import { auditAction, requireAdmin, requireProjectAdmin, requireProjectMember } from './context.js';
import { notFound } from './errors.js';
import {
  PolicyBody,
  PolicyVersionView,
  PolicyView,
  policyFromBody,
  policyServices,
  policyView,
  versionParam,
  versionView,
} from './policy-deps.js';
import { param } from './route.js';
import type { ApiRoute } from './route.js';
import { ErrorBody } from './schemas.js';

const invalid = { status: 400, description: 'invalid policy: one entry per problem, `field` is its path in the document', schema: ErrorBody };

export const POLICY_ROUTES: ApiRoute[] = [
  {
    method: 'GET', path: '/projects/:project/policy', operationId: 'getProjectPolicy', tag: 'policy', access: 'project-member',
    summary: "The project's effective policy: its latest version, else the system policy (members)",
    responses: [{ status: 200, description: 'the effective policy and where it comes from', schema: PolicyView }],
    async handler(req, _reply, deps) {
      const { project } = await requireProjectMember(req, deps.auth, param(req, 'project'));
      return policyView(project.name, await policyServices(deps).policies.effectivePolicy(project.id));
    },
  },
  {
    method: 'PUT', path: '/projects/:project/policy', operationId: 'setProjectPolicy', tag: 'policy', access: 'project-admin', body: PolicyBody,
    summary: "Set the project's policy (a new version); the body is the document, or its YAML/JSON text (also as text/plain)",
    responses: [{ status: 200, description: 'the stored version', schema: PolicyView }, invalid],
    async handler(req, _reply, deps) {
      const { project, user } = await requireProjectAdmin(req, deps.auth, param(req, 'project'));
      const { policy, source } = policyFromBody(req.body);
      const stored = await policyServices(deps).policies.set({ kind: 'project', projectId: project.id }, policy, user.name, source);
      await auditAction(req, deps.auth, 'policy.update', { detail: { project: project.name, version: stored.version, mode: policy.mode } });
      return policyView(project.name, { origin: 'project', ...stored });
    },
  },
  {
    method: 'GET', path: '/projects/:project/policy/versions', operationId: 'listProjectPolicyVersions', tag: 'policy', access: 'project-member',
    summary: "Every version of the project's policy, newest first (members)",
    responses: [{ status: 200, description: 'versions', schema: z.array(PolicyVersionView) }],
    async handler(req, _reply, deps) {
      const { project } = await requireProjectMember(req, deps.auth, param(req, 'project'));
      return (await policyServices(deps).policies.history({ kind: 'project', projectId: project.id })).map(versionView);
    },
  },
  {
    method: 'GET', path: '/projects/:project/policy/versions/:n', operationId: 'getProjectPolicyVersion', tag: 'policy', access: 'project-member',
    summary: "One version of the project's policy (members)",
    responses: [{ status: 200, description: 'the version', schema: PolicyView }, { status: 404, description: 'no such version', schema: ErrorBody }],
    async handler(req, _reply, deps) {
      const { project } = await requireProjectMember(req, deps.auth, param(req, 'project'));
      const n = versionParam(req);
      const v = await policyServices(deps).policies.getVersion({ kind: 'project', projectId: project.id }, n);
      if (!v) throw notFound(`version ${n} of the policy of "${project.name}"`);
      return policyView(project.name, { origin: 'project', ...v });
    },
  },
  {
    method: 'GET', path: '/system/policy', operationId: 'getSystemPolicy', tag: 'policy', access: 'admin',
    summary: 'The system policy that projects without their own inherit: the stored one, else the configured default',
    responses: [{ status: 200, description: 'the system policy', schema: PolicyView }],
    async handler(req, _reply, deps) {
      await requireAdmin(req, deps.auth);
      return policyView(null, await policyServices(deps).policies.systemPolicy());
    },
  },
  {
    method: 'PUT', path: '/system/policy', operationId: 'setSystemPolicy', tag: 'policy', access: 'admin', body: PolicyBody,
    summary: 'Set the system policy (a new version), overriding the configured default',
    responses: [{ status: 200, description: 'the stored version', schema: PolicyView }, invalid],
    async handler(req, _reply, deps) {
      const user = await requireAdmin(req, deps.auth);
      const { policy, source } = policyFromBody(req.body);
      const stored = await policyServices(deps).policies.set({ kind: 'system' }, policy, user.name, source);
      await auditAction(req, deps.auth, 'policy.system.update', { detail: { version: stored.version, mode: policy.mode } });
      return policyView(null, { origin: 'system', ...stored });
    },
  },
];
