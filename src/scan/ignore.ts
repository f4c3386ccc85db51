import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { FindingKind } from './types.js';

/** One ignore entry: from a `.trivyignore` line or a `portcullis-ignore.yaml` item. */
export interface IgnoreEntry {
  id: string;
  /** Kinds the entry applies to; all when absent (a `.trivyignore` id may be an advisory, a rule or a check). */
  kinds?: FindingKind[];
  /** Globs over the package path (vulnerabilities) or the file path (secrets, misconfigurations). */
  paths?: string[];
  /** Package URLs; qualifiers of the finding's purl are ignored when the entry has none. */
  purls?: string[];
  /** Last day (UTC, inclusive) the entry applies. */
  expires?: string;
  justification?: string;
  /** File and line the entry came from (for the report's suppression list). */
  source: string;
}

export interface IgnoreRules {
  entries: IgnoreEntry[];
  /** Problems with the file that did not stop the scan (expired entries are reported here). */
  warnings: string[];
}

export class IgnoreFileError extends Error {
  override name = 'IgnoreFileError';
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Trivy's `.trivyignore`: one id per line, `#` comments, an optional `exp:YYYY-MM-DD` after the id. */
export function parseTrivyIgnore(text: string, file = '.trivyignore'): IgnoreRules {
  const entries: IgnoreEntry[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (line === '') return;
    const [id, ...rest] = line.split(/\s+/);
    const entry: IgnoreEntry = { id: id!, source: `${file}:${i + 1}` };
    for (const word of rest) {
      const exp = /^exp:(.+)$/.exec(word);
      if (!exp || !DATE.test(exp[1]!) || Number.isNaN(Date.parse(exp[1]!)))
        throw new IgnoreFileError(`${file}:${i + 1}: unexpected "${word}" (expected "exp:YYYY-MM-DD")`);
      entry.expires = exp[1]!;
    }
    entries.push(entry);
  });
  return { entries, warnings: [] };
}

const dateField = z
  .union([z.string(), z.date()])
  .transform((v) => (v instanceof Date ? v.toISOString().slice(0, 10) : v))
  .refine((v) => DATE.test(v) && !Number.isNaN(Date.parse(v)), 'must be a date YYYY-MM-DD');

const yamlEntry = z
  .object({
    id: z.string().min(1),
    paths: z.array(z.string().min(1)).optional(),
    purls: z.array(z.string().startsWith('pkg:')).optional(),
    expires: dateField.optional(),
    // Trivy's .trivyignore.yaml spells these expired_at / statement.
    expired_at: dateField.optional(),
    justification: z.string().optional(),
    statement: z.string().optional(),
  })
  .strict();

const yamlDoc = z.union([
  z.array(yamlEntry),
  z
    .object({
      vulnerabilities: z.array(yamlEntry).optional(),
      secrets: z.array(yamlEntry).optional(),
      misconfigurations: z.array(yamlEntry).optional(),
      ignore: z.array(yamlEntry).optional(),
    })
    .strict(),
]);

/**
 * `portcullis-ignore.yaml`: either a list of entries (any kind) or lists under `vulnerabilities`,
 * `secrets`, `misconfigurations` (Trivy's `.trivyignore.yaml` layout) and `ignore` (any kind).
 */
export function parseIgnoreYaml(text: string, file = 'portcullis-ignore.yaml'): IgnoreRules {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new IgnoreFileError(`${file}: not YAML (${(err as Error).message})`);
  }
  const parsed = yamlDoc.safeParse(doc ?? []);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new IgnoreFileError(`${file}: ${issues.join('; ')}`);
  }
  const groups: [FindingKind[] | undefined, z.infer<typeof yamlEntry>[]][] = Array.isArray(parsed.data)
    ? [[undefined, parsed.data]]
    : [
        [['vulnerability'], parsed.data.vulnerabilities ?? []],
        [['secret'], parsed.data.secrets ?? []],
        [['misconfiguration'], parsed.data.misconfigurations ?? []],
        [undefined, parsed.data.ignore ?? []],
      ];
  const entries: IgnoreEntry[] = [];
  for (const [kinds, list] of groups) {
    list.forEach((e, i) => {
      const entry: IgnoreEntry = { id: e.id, source: `${file}#${kinds?.[0] ?? 'entry'}[${i}]` };
      if (kinds) entry.kinds = kinds;
      if (e.paths) entry.paths = e.paths;
      if (e.purls) entry.purls = e.purls;
      const expires = e.expires ?? e.expired_at;
      if (expires) entry.expires = expires;
      const justification = e.justification ?? e.statement;
      if (justification) entry.justification = justification;
      entries.push(entry);
    });
  }
  return { entries, warnings: [] };
}

/** Reads an ignore file; YAML when the name ends in .yaml/.yml, else the `.trivyignore` format. */
export async function loadIgnoreFile(path: string): Promise<IgnoreRules> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new IgnoreFileError(`cannot read ignore file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return /\.ya?ml$/i.test(path) ? parseIgnoreYaml(text, basename(path)) : parseTrivyIgnore(text, basename(path));
}

/** True when the entry's expiry date has passed (the entry stays valid through that whole day, UTC). */
export function isExpired(entry: IgnoreEntry, now: Date): boolean {
  return entry.expires !== undefined && Date.parse(`${entry.expires}T23:59:59.999Z`) < now.getTime();
}

/** `*` matches within a path segment, `**` across segments; a pattern without wildcards also matches what lies under it. */
export function globMatch(pattern: string, path: string): boolean {
  if (!pattern.includes('*')) return path === pattern || path.startsWith(pattern.endsWith('/') ? pattern : `${pattern}/`);
  const re = pattern
    .split(/(\*\*\/?|\*)/)
    .map((part) => (part.startsWith('**') ? '.*' : part === '*' ? '[^/]*' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${re}$`).test(path);
}

/** Compares purls; qualifiers and subpath only count when the pattern has them. */
export function purlMatch(pattern: string, purl: string): boolean {
  if (pattern === purl) return true;
  if (/[?#]/.test(pattern)) return false;
  return purl.split(/[?#]/)[0] === pattern;
}

export interface IgnoreSubject {
  kind: FindingKind;
  ids: readonly string[];
  path?: string;
  purl?: string;
}

/** The first live entry that covers the finding, if any. */
export function findIgnore(rules: IgnoreRules, subject: IgnoreSubject, now: Date): IgnoreEntry | undefined {
  return rules.entries.find((e) => {
    if (e.kinds && !e.kinds.includes(subject.kind)) return false;
    if (!subject.ids.includes(e.id)) return false;
    if (isExpired(e, now)) return false;
    if (e.paths && !(subject.path !== undefined && e.paths.some((p) => globMatch(p, subject.path!)))) return false;
    if (e.purls && !(subject.purl !== undefined && e.purls.some((p) => purlMatch(p, subject.purl!)))) return false;
    return true;
  });
}
