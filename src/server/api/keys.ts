/** The public keys a project trusts for image signatures. */
import { z } from 'zod/v4';
import { auditAction, requireProjectAdmin, requireProjectMember } from './context.js';
import { parse } from './errors.js';
import { AddKeyBody, TrustedKeyView, policyServices, storeCall, trustedKeyView } from './policy-deps.js';
import { param } from './route.js';
import type { ApiRoute } from './route.js';
import { ErrorBody } from './schemas.js';

export const KEY_ROUTES: ApiRoute[] = [
  {
    method: 'GET', path: '/projects/:project/keys', operationId: 'listTrustedKeys', tag: 'trusted keys', access: 'project-member',
    summary: "The project's trusted signing keys, by name (members)",
    responses: [{ status: 200, description: 'keys', schema: z.array(TrustedKeyView) }],
    async handler(req, _reply, deps) {
      const { project } = await requireProjectMember(req, deps.auth, param(req, 'project'));
      return (await policyServices(deps).trustedKeys.list(project.id)).map(trustedKeyView);
    },
  },
  {
    method: 'POST', path: '/projects/:project/keys', operationId: 'addTrustedKey', tag: 'trusted keys', access: 'project-admin', body: AddKeyBody,
    summary: 'Trust a public key (ECDSA P-256, PEM) under a name',
    responses: [
      { status: 201, description: 'added', schema: TrustedKeyView },
      { status: 400, description: 'invalid name or not an ECDSA P-256 public key', schema: ErrorBody },
      { status: 409, description: 'the name is taken', schema: ErrorBody },
    ],
    async handler(req, reply, deps) {
      const { project, user } = await requireProjectAdmin(req, deps.auth, param(req, 'project'));
      const body = parse(AddKeyBody, req.body, 'body');
      const key = await storeCall(() => policyServices(deps).trustedKeys.add(project.id, { name: body.name, publicKey: body.key, addedBy: user.name }));
      await auditAction(req, deps.auth, 'trust.key.add', { detail: { project: project.name, name: key.name, keyId: key.keyId } });
      return reply.code(201).send(trustedKeyView(key));
    },
  },
  {
    method: 'DELETE', path: '/projects/:project/keys/:name', operationId: 'removeTrustedKey', tag: 'trusted keys', access: 'project-admin',
    summary: 'Stop trusting a key',
    responses: [{ status: 204, description: 'removed' }],
    async handler(req, reply, deps) {
      const { project } = await requireProjectAdmin(req, deps.auth, param(req, 'project'));
      const name = param(req, 'name');
      await storeCall(() => policyServices(deps).trustedKeys.remove(project.id, name));
      await auditAction(req, deps.auth, 'trust.key.remove', { detail: { project: project.name, name } });
      return reply.code(204).send();
    },
  },
];
