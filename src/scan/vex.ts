import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { z } from 'zod';
import { purlMatch } from './ignore.js';

export type VexStatus = 'not_affected' | 'affected' | 'fixed' | 'under_investigation';

export interface VexStatement {
  vulnerability: string;
  aliases: string[];
  /** Product and subcomponent identifiers (purls) the statement is about. */
  products: string[];
  status: VexStatus;
  justification?: string;
  timestamp?: string;
  source: string;
}

export interface VexStatements {
  statements: VexStatement[];
}

export class VexError extends Error {
  override name = 'VexError';
}

const idRef = z.union([z.string(), z.object({ '@id': z.string().optional(), identifiers: z.record(z.string()).optional() }).passthrough()]);
const product = z.union([
  z.string(),
  z.object({ '@id': z.string().optional(), identifiers: z.record(z.string()).optional(), subcomponents: z.array(idRef).optional() }).passthrough(),
]);

const statement = z
  .object({
    vulnerability: z.union([z.string(), z.object({ name: z.string().optional(), '@id': z.string().optional(), aliases: z.array(z.string()).optional() }).passthrough()]),
    products: z.array(product).optional(),
    subcomponents: z.array(idRef).optional(),
    status: z.enum(['not_affected', 'affected', 'fixed', 'under_investigation']),
    justification: z.string().optional(),
    impact_statement: z.string().optional(),
    timestamp: z.string().optional(),
  })
  .passthrough();

const document = z
  .object({
    '@context': z.string().refine((s) => s.startsWith('https://openvex.dev/ns'), 'not an OpenVEX context'),
    timestamp: z.string().optional(),
    statements: z.array(statement),
  })
  .passthrough();

function ids(ref: z.infer<typeof idRef>): string[] {
  if (typeof ref === 'string') return [ref];
  return [ref['@id'], ...Object.values(ref.identifiers ?? {})].filter((x): x is string => typeof x === 'string');
}

/** Parses an OpenVEX JSON document (v0.0.x and v0.2.x product forms). */
export function parseVex(text: string, file = 'vex.json'): VexStatements {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new VexError(`${file}: not JSON (${(err as Error).message})`);
  }
  const parsed = document.safeParse(doc);
  if (!parsed.success) {
    throw new VexError(`${file}: not an OpenVEX document: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  }
  const statements = parsed.data.statements.map((s, i): VexStatement => {
    const vuln = typeof s.vulnerability === 'string' ? { name: s.vulnerability } : s.vulnerability;
    const name = vuln.name ?? vuln['@id'];
    if (!name) throw new VexError(`${file}: statements[${i}].vulnerability has no name`);
    const products = (s.products ?? []).flatMap((p) =>
      typeof p === 'string' ? [p] : [...ids(p), ...(p.subcomponents ?? []).flatMap(ids)],
    );
    products.push(...(s.subcomponents ?? []).flatMap(ids));
    const out: VexStatement = {
      vulnerability: name,
      aliases: 'aliases' in vuln && Array.isArray(vuln.aliases) ? vuln.aliases : [],
      products,
      status: s.status,
      source: `${file}#statements[${i}]`,
    };
    const justification = s.justification ?? s.impact_statement;
    if (justification) out.justification = justification;
    const timestamp = s.timestamp ?? parsed.data.timestamp;
    if (timestamp) out.timestamp = timestamp;
    return out;
  });
  return { statements };
}

export async function loadVex(path: string): Promise<VexStatements> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new VexError(`cannot read VEX file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return parseVex(text, basename(path));
}

export function mergeVex(...docs: VexStatements[]): VexStatements {
  return { statements: docs.flatMap((d) => d.statements) };
}

/**
 * The statement that decides a vulnerability of a package: the latest (by timestamp, then by
 * order) among those naming one of its ids and the package's purl.
 */
export function vexFor(vex: VexStatements, vulnIds: readonly string[], purl: string): VexStatement | undefined {
  let best: VexStatement | undefined;
  for (const s of vex.statements) {
    if (![s.vulnerability, ...s.aliases].some((id) => vulnIds.includes(id))) continue;
    if (!s.products.some((p) => purlMatch(p, purl))) continue;
    if (!best || (s.timestamp ?? '') >= (best.timestamp ?? '')) best = s;
  }
  return best;
}

/** not_affected and fixed suppress a finding; affected and under_investigation keep it. */
export function vexSuppresses(s: VexStatement | undefined): boolean {
  return s?.status === 'not_affected' || s?.status === 'fixed';
}
