import type { SecretRule } from '../types.js';
import { CLOUD_RULES } from './cloud.js';
import { GENERIC_RULES } from './generic.js';
import { KEY_RULES } from './keys.js';
import { MESSAGING_RULES } from './messaging.js';
import { PACKAGE_RULES } from './packages.js';
import { PAYMENT_RULES } from './payments.js';
import { SAAS_RULES } from './saas.js';
import { VCS_RULES } from './vcs.js';

/**
 * Every built-in rule, in priority order: when two rules match the same bytes only the first is
 * reported, so specific token formats come before the generic assignments.
 */
export const BUILTIN_RULES: readonly SecretRule[] = [
  ...KEY_RULES,
  ...CLOUD_RULES,
  ...VCS_RULES,
  ...PACKAGE_RULES,
  ...MESSAGING_RULES,
  ...PAYMENT_RULES,
  ...SAAS_RULES,
  ...GENERIC_RULES,
];
