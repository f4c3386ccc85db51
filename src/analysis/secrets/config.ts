import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { BUILTIN_RULES } from './rules/index.js';
import { SecretScanner } from './scanner.js';
import type { SecretRule } from './types.js';
import { SEVERITIES } from './types.js';

/**
 * `portcullis-secret.yaml`: the keys of Trivy's trivy-secret.yaml (kebab-case), so an existing
 * Trivy configuration mostly carries over. Regexes use Go/RE2 syntax there; `(?P<name>` groups and a
 * leading `(?i)` are translated, other inline flags are rejected with a clear message.
 */
export interface SecretConfig {
  rules: SecretRule[];
  disabledRules: string[];
  allowPaths: string[];
  allowValues: string[];
  /** False drops the built-in documentation/test path allow list. */
  defaultAllowPaths: boolean;
  enableBuiltinRules?: string[];
}

export class SecretConfigError extends Error {
  constructor(
    readonly source: string,
    readonly issues: string[],
  ) {
    super(`${source}: invalid secret configuration:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.name = 'SecretConfigError';
  }
}

/** Translates an RE2-style pattern to a JavaScript source and flags, or explains why it cannot. */
export function translateRegex(pattern: string, secretGroupName?: string): { source: string; flags: string } {
  let source = pattern;
  let flags = '';
  const lead = /^\(\?([ims]+)\)/.exec(source);
  if (lead) {
    flags = lead[1]!;
    source = source.slice(lead[0].length);
  }
  if (/\(\?[imsU-]+[:)]/.test(source)) throw new Error('inline flags are only supported at the start of the pattern, e.g. (?i)');
  source = source.replace(/\(\?P<([A-Za-z_][A-Za-z0-9_]*)>/g, '(?<$1>');
  if (secretGroupName && secretGroupName !== 'secret') {
    if (!source.includes(`(?<${secretGroupName}>`)) throw new Error(`secret group "${secretGroupName}" is not in the regex`);
    source = source.split(`(?<${secretGroupName}>`).join('(?<secret>');
  }
  new RegExp(source, flags); // throws with the engine's message
  return { source, flags };
}

const regexString = z.string().min(1).superRefine((s, ctx) => {
  try {
    translateRegex(s);
  } catch (err) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: `invalid regular expression: ${(err as Error).message}` });
  }
});

const allowRule = z
  .object({
    id: z.string().min(1),
    description: z.string().optional(),
    regex: regexString.optional(),
    path: regexString.optional(),
  })
  .strict()
  .refine((r) => r.regex !== undefined || r.path !== undefined, { message: 'an allow rule needs `regex` or `path`' });

const ruleSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'rule ids are lower-case words joined by "-"'),
    category: z.string().min(1).default('Custom'),
    title: z.string().min(1),
    severity: z.enum(SEVERITIES as [string, ...string[]]).default('UNKNOWN'),
    regex: regexString,
    keywords: z.array(z.string().min(1)).min(1, 'at least one keyword is required (it drives the fast prefilter)'),
    'secret-group-name': z.string().optional(),
    entropy: z.number().min(0).max(8).optional(),
    path: regexString.optional(),
    'allow-rules': z.array(allowRule).optional(),
  })
  .strict();

const configSchema = z
  .object({
    rules: z.array(ruleSchema).default([]),
    'allow-rules': z.array(allowRule).default([]),
    'disable-rules': z.array(z.string()).default([]),
    'enable-builtin-rules': z.array(z.string()).optional(),
    'default-allow-paths': z.boolean().default(true),
  })
  .strict();

function formatIssues(error: z.ZodError): string[] {
  return error.issues.map((i) => {
    const path = i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('').replace(/^\./, '');
    return `${path || '(root)'}: ${i.message}`;
  });
}

export function parseSecretConfig(text: string, source = 'portcullis-secret.yaml'): SecretConfig {
  let raw: unknown;
  try {
    raw = parseYaml(text) ?? {};
  } catch (err) {
    throw new SecretConfigError(source, [`not valid YAML: ${(err as Error).message}`]);
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) throw new SecretConfigError(source, formatIssues(parsed.error));
  const c = parsed.data;
  const builtinIds = new Set(BUILTIN_RULES.map((r) => r.id));
  const issues: string[] = [];
  c['disable-rules'].forEach((id, i) => {
    if (!builtinIds.has(id) && !c.rules.some((r) => r.id === id)) issues.push(`disable-rules[${i}]: unknown rule "${id}"`);
  });
  const rules: SecretRule[] = c.rules.flatMap((r, i) => {
    try {
      const { source: regex, flags } = translateRegex(r.regex, r['secret-group-name']);
      const rule: SecretRule = {
        id: r.id,
        category: r.category,
        title: r.title,
        severity: r.severity as SecretRule['severity'],
        keywords: r.keywords.map((k) => k.toLowerCase()),
        regex,
        ...(flags ? { flags } : {}),
        ...(r.entropy !== undefined ? { entropy: r.entropy } : {}),
      };
      const allow = r['allow-rules'] ?? [];
      const values = allow.flatMap((a) => (a.regex ? [translateRegex(a.regex).source] : []));
      const paths = allow.flatMap((a) => (a.path ? [translateRegex(a.path).source] : []));
      if (values.length) rule.allowValues = values;
      if (paths.length) rule.allowPaths = paths;
      return [rule];
    } catch (err) {
      issues.push(`rules[${i}].regex: ${(err as Error).message}`);
      return [];
    }
  });
  if (issues.length) throw new SecretConfigError(source, issues);
  const config: SecretConfig = {
    rules,
    disabledRules: c['disable-rules'],
    allowPaths: c['allow-rules'].flatMap((a) => (a.path ? [translateRegex(a.path).source] : [])),
    allowValues: c['allow-rules'].flatMap((a) => (a.regex ? [translateRegex(a.regex).source] : [])),
    defaultAllowPaths: c['default-allow-paths'],
  };
  if (c['enable-builtin-rules']) config.enableBuiltinRules = c['enable-builtin-rules'];
  return config;
}

export async function loadSecretConfig(file: string): Promise<SecretConfig> {
  return parseSecretConfig(await readFile(file, 'utf8'), file);
}

/** A scanner with the built-in rules (or the enabled subset), the custom rules and the allow lists. */
export function scannerFromConfig(config: SecretConfig): SecretScanner {
  const enabled = config.enableBuiltinRules ? new Set(config.enableBuiltinRules) : undefined;
  const builtins = enabled ? BUILTIN_RULES.filter((r) => enabled.has(r.id)) : BUILTIN_RULES;
  // Custom rules go before the generic assignments so a specific custom format wins an overlap.
  const generic = builtins.filter((r) => r.category === 'General');
  const specific = builtins.filter((r) => r.category !== 'General');
  return new SecretScanner({
    rules: [...specific, ...config.rules, ...generic],
    disabledRules: config.disabledRules,
    allowPaths: config.allowPaths,
    allowValues: config.allowValues,
    ...(config.defaultAllowPaths ? {} : { defaultAllowPaths: [] }),
  });
}
