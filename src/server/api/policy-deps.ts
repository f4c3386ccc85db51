/**
 * What the policy and trusted-key endpoints need beyond ApiDeps, their schemas and views, and the
 * mapping of store errors to the API's error shape.
 */
import type { FastifyRequest } from 'fastify';
import { z } from 'zod/v4';
import { PolicyStoreError } from '../../policy/errors.js';
import { PolicyError, parsePolicy, validatePolicy } from '../../policy/parse.js';
import { policySchema, type Policy } from '../../policy/schema.js';
import type { EffectivePolicy, PolicyVersion, PolicyVersionInfo } from '../../policy/store.js';
import type { PolicyServices } from '../../policy/index.js';
import type { TrustedKey } from '../../policy/trusted-keys.js';
import { TRUSTED_KEY_NAME } from '../../policy/trusted-keys.js';
import { ApiError } from './errors.js';
import type { ApiDeps } from './route.js';

export type { PolicyServices };

/** ApiDeps with the policy services (`policy`), as serve passes them. */
export type PolicyApiDeps = ApiDeps & { policy?: PolicyServices };

export function policyServices(deps: ApiDeps): PolicyServices {
  const services = (deps as PolicyApiDeps).policy;
  if (!services) throw ApiError.of(503, 'INTERNAL', 'policy storage is not configured on this server');
  return services;
}

/** Runs a store call, answering its errors in the API's shape. */
export async function storeCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof PolicyStoreError) {
      const status = { NOT_FOUND: 404, CONFLICT: 409, INVALID: 400 }[err.code];
      throw ApiError.of(status, err.code, err.message, err.field);
    }
    throw err;
  }
}

/** Policies are small; the text is stored with every version. */
const MAX_POLICY_TEXT = 256 * 1024;

/**
 * A policy from a request body: YAML or JSON text (a text/plain body, or a JSON string), or the
 * document as a JSON object. Every problem is a 400 entry naming its field (`push.vulnerabilities.severity`).
 */
export function policyFromBody(body: unknown): { policy: Policy; source?: string } {
  if (typeof body === 'string' && body.length > MAX_POLICY_TEXT) throw ApiError.of(400, 'INVALID', `a policy is at most ${MAX_POLICY_TEXT} characters`, 'body');
  try {
    if (typeof body === 'string') return { policy: parsePolicy(body), source: body };
    if (body === undefined || body === null) throw new PolicyError('a policy document is required');
    return { policy: validatePolicy(body) };
  } catch (err) {
    if (!(err instanceof PolicyError)) throw err;
    const entries = err.issues.length
      ? err.issues.map((i) => ({ code: 'INVALID' as const, message: i.message, field: i.path }))
      : [{ code: 'INVALID' as const, message: err.message, field: 'body' }];
    throw new ApiError(400, entries);
  }
}

export const PolicyBody = z
  .union([z.string().max(MAX_POLICY_TEXT).describe('the policy as YAML or JSON text'), policySchema])
  .describe('a policy document (version 1), or its YAML/JSON text');

export const PolicyView = z.object({
  project: z.string().nullable().describe('null for the system policy'),
  origin: z.enum(['project', 'system', 'default']).describe('project: its own; system: the stored system policy; default: the server configuration'),
  version: z.number().int().nullable().describe('null for the configured default'),
  author: z.string().nullable(),
  created_at: z.string().nullable(),
  policy: policySchema,
  source: z.string().optional().describe('the text as submitted, when it was submitted as text'),
});

export const PolicyVersionView = z.object({ version: z.number().int(), author: z.string(), created_at: z.string() });

export const VersionParam = z.object({ n: z.coerce.number().int().min(1).max(2 ** 31 - 1) });

export const AddKeyBody = z
  .object({
    name: z.string().regex(TRUSTED_KEY_NAME).describe('what policies name in requireSignature.keys'),
    key: z.string().max(16 * 1024).describe('PEM public key, ECDSA P-256 (as `portcullis key generate` or `cosign generate-key-pair` write it)'),
  })
  .strict();

export const TrustedKeyView = z.object({
  name: z.string(),
  key_id: z.string().describe('hex SHA-256 of the DER SubjectPublicKeyInfo'),
  public_key: z.string(),
  added_by: z.string(),
  created_at: z.string(),
});

export function policyView(project: string | null, eff: EffectivePolicy | (PolicyVersion & { origin: 'project' | 'system' })): z.output<typeof PolicyView> {
  if (eff.origin === 'default') return { project, origin: 'default', version: null, author: null, created_at: null, policy: eff.policy };
  return {
    project,
    origin: eff.origin,
    version: eff.version,
    author: eff.author,
    created_at: eff.createdAt.toISOString(),
    policy: eff.policy,
    ...(eff.source !== undefined ? { source: eff.source } : {}),
  };
}

export const versionView = (v: PolicyVersionInfo) => ({ version: v.version, author: v.author, created_at: v.createdAt.toISOString() });

export const trustedKeyView = (k: TrustedKey) => ({ name: k.name, key_id: k.keyId, public_key: k.publicKey, added_by: k.addedBy, created_at: k.createdAt.toISOString() });

export function versionParam(req: FastifyRequest): number {
  const r = VersionParam.safeParse(req.params);
  if (!r.success) throw ApiError.of(400, 'INVALID', 'a version is a positive integer', 'n');
  return r.data.n;
}
