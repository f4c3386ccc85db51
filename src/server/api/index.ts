/** The /api/v1 management API as one fastify plugin; every endpoint is in the explicit list below. */
import type { FastifyInstance } from 'fastify';
import { AUDIT_ROUTES } from './audit.js';
import { errorHandler } from './errors.js';
import { KEY_ROUTES } from './keys.js';
import { MEMBER_ROUTES } from './members.js';
import { openapiDocument } from './openapi.js';
import { POLICY_ROUTES } from './policy.js';
import { PROJECT_ROUTES } from './projects.js';
import { ROBOT_ROUTES } from './robots.js';
import type { ApiDeps, ApiRoute } from './route.js';
import { USER_ROUTES } from './users.js';
import { WEBHOOK_ROUTES } from './webhooks.js';
import { GATE_ROUTES } from '../../gates/api.js';

export const API_ROUTES: readonly ApiRoute[] = [...USER_ROUTES, ...PROJECT_ROUTES, ...MEMBER_ROUTES, ...ROBOT_ROUTES, ...AUDIT_ROUTES, ...POLICY_ROUTES, ...KEY_ROUTES, ...GATE_ROUTES, ...WEBHOOK_ROUTES];

export const API_PREFIX = '/api/v1';

export interface ApiRoutesOptions extends ApiDeps {
  /** Reported as info.version in the OpenAPI document. */
  version?: string;
}

/** Register with `app.register(apiRoutes, { auth, audit, auditVerifiers })`; it mounts itself under /api/v1. */
export async function apiRoutes(app: FastifyInstance, opts: ApiRoutesOptions): Promise<void> {
  const deps: ApiDeps = { auth: opts.auth, audit: opts.audit, auditVerifiers: opts.auditVerifiers, ...(opts.policy ? { policy: opts.policy } : {}), ...(opts.webhooks ? { webhooks: opts.webhooks } : {}) };
  const document = openapiDocument(API_ROUTES, opts.version ?? '0.1.0');
  await app.register(
    async (api) => {
      api.setErrorHandler(errorHandler);
      // Policies may be sent as YAML text.
      api.addContentTypeParser(['application/yaml', 'application/x-yaml', 'text/yaml'], { parseAs: 'string' }, (_req, body, done) => done(null, body));
      api.setNotFoundHandler((req, reply) =>
        reply.code(404).send({ errors: [{ code: 'NOT_FOUND', message: `no endpoint ${req.method} ${req.url.split('?')[0] ?? ''}` }] }),
      );
      api.get('/openapi.json', async () => document);
      for (const route of API_ROUTES) {
        api.route({ method: route.method, url: route.path, handler: (req, reply) => route.handler(req, reply, deps) });
      }
    },
    { prefix: API_PREFIX },
  );
}
