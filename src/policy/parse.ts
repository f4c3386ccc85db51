import { parse as parseYaml } from 'yaml';
import { policySchema, type Policy } from './schema.js';

export interface PolicyIssue {
  path: string;
  message: string;
}

export class PolicyError extends Error {
  constructor(
    message: string,
    readonly issues: PolicyIssue[] = [],
  ) {
    super(issues.length ? `${message}:\n${issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}` : message);
    this.name = 'PolicyError';
  }
}

/** Validates a policy document (already parsed), with field-level messages. */
export function validatePolicy(doc: unknown): Policy {
  const r = policySchema.safeParse(doc);
  if (!r.success) throw new PolicyError('invalid policy', r.error.issues.map((i) => ({ path: i.path.join('.') || '(root)', message: i.message })));
  return r.data;
}

/** Parses a policy from YAML or JSON text (JSON is YAML). */
export function parsePolicy(text: string): Policy {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new PolicyError(`policy is not valid YAML/JSON: ${(err as Error).message}`);
  }
  return validatePolicy(doc);
}

/** The system default: refuse what is plainly unsafe, warn about the rest. */
export const DEFAULT_POLICY: Policy = validatePolicy({
  version: 1,
  mode: 'enforce',
  push: { secrets: {}, vulnerabilities: { severity: 'CRITICAL', onlyFixed: true } },
  pull: {},
});
