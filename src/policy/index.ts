/** The policy module: documents, evaluation, storage, trusted keys and the scan-report adapter. */
import type { Kysely } from 'kysely';
import { DEFAULT_POLICY, PolicyError, validatePolicy } from './parse.js';
import type { Policy } from './schema.js';
import { PolicyStore } from './store.js';
import { TrustedKeyStore } from './trusted-keys.js';

export { POLICY_SEVERITIES, policySchema, type Gate, type GateRules, type Policy, type PolicyInput, type PolicySeverity } from './schema.js';
export { DEFAULT_POLICY, PolicyError, parsePolicy, validatePolicy, type PolicyIssue } from './parse.js';
export { denialMessage, evaluate, globMatch, type Decision, type Violation, type ViolationRule } from './evaluate.js';
export type { EvaluationInput, PolicyMisconfiguration, PolicySecret, PolicySignature, PolicyVulnerability } from './input.js';
export { PolicyStore, type EffectivePolicy, type PolicyScope, type PolicyVersion, type PolicyVersionInfo } from './store.js';
export { TrustedKeyStore, TRUSTED_KEY_NAME, parseTrustedKey, type NamedVerificationKey, type TrustedKey } from './trusted-keys.js';
export { PolicyStoreError, type PolicyStoreErrorCode } from './errors.js';
export { signatureFacts } from './from-signatures.js';
export { BASE_NAME_LABEL, declaredBaseImages, inputFromReport, normaliseReference } from './from-report.js';
export { policyMigration } from './migration.js';

/** What the API (and later the gates) need from the metadata database. */
export interface PolicyServices {
  policies: PolicyStore;
  trustedKeys: TrustedKeyStore;
}

/**
 * The configured system default (`policy.default` in the server config), validated with
 * messages naming the config field; DEFAULT_POLICY when the config has none.
 */
export function policyFromConfig(value: unknown, field = 'policy.default'): Policy {
  if (value === undefined || value === null) return DEFAULT_POLICY;
  try {
    return validatePolicy(value);
  } catch (err) {
    if (!(err instanceof PolicyError)) throw err;
    const issues = err.issues.map((i) => ({ path: i.path === '(root)' ? field : `${field}.${i.path}`, message: i.message }));
    throw new PolicyError(`invalid ${field} in the server configuration`, issues);
  }
}

/** The stores over the metadata database (after migrations), with the configured system default. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function createPolicyServices(db: Kysely<any>, systemDefault: Policy = DEFAULT_POLICY): PolicyServices {
  return { policies: new PolicyStore(db, systemDefault), trustedKeys: new TrustedKeyStore(db) };
}
