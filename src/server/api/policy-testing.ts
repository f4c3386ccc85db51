/**
 * For tests: the policy and trusted-key endpoints mounted as apiRoutes mounts them, with the
 * policy services, over the auth harness (in-memory SQLite), optionally listening on loopback.
 */
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { es256Verifier } from '../../audit/signing.js';
import { policyMigration } from '../../policy/migration.js';
import { createPolicyServices } from '../../policy/index.js';
import type { Policy } from '../../policy/schema.js';
import { createHarness, type Harness } from '../auth/harness.js';
import { errorHandler } from './errors.js';
import { KEY_ROUTES } from './keys.js';
import type { PolicyApiDeps } from './policy-deps.js';
import { POLICY_ROUTES } from './policy.js';

export interface PolicyApi {
  h: Harness;
  app: FastifyInstance;
  deps: PolicyApiDeps;
  close(): Promise<void>;
}

export async function createPolicyApi(systemDefault?: Policy): Promise<PolicyApi> {
  const h = await createHarness();
  await policyMigration.up(h.db, 'sqlite');
  const deps: PolicyApiDeps = {
    auth: h.auth,
    audit: h.audit,
    auditVerifiers: [es256Verifier(h.key.publicKey)],
    policy: createPolicyServices(h.db, systemDefault),
  };
  const app = Fastify();
  // Text bodies also as YAML media types, as the lead is asked to register in apiRoutes.
  app.addContentTypeParser(['application/yaml', 'application/x-yaml', 'text/yaml'], { parseAs: 'string' }, (_req, body, done) => done(null, body));
  await app.register(
    async (api) => {
      api.setErrorHandler(errorHandler);
      for (const route of [...POLICY_ROUTES, ...KEY_ROUTES]) api.route({ method: route.method, url: route.path, handler: (req, reply) => route.handler(req, reply, deps) });
    },
    { prefix: '/api/v1' },
  );
  return {
    h,
    app,
    deps,
    async close() {
      await app.close();
      await h.close();
    },
  };
}
