import { sensitiveEnvName } from './env.js';
import { SecretScanner, type SecretMatch } from './scanner.js';
import { isPlaceholder, maskSecret } from './text.js';
import type { ImageConfigLike, SecretFinding, SecretLocation, SecretRule } from './types.js';

let defaultScanner: SecretScanner | undefined;

/** The scanner with the built-in rules and default allow lists, built once. */
export function defaultSecretScanner(): SecretScanner {
  defaultScanner ??= new SecretScanner();
  return defaultScanner;
}

export interface SecretScanOptions {
  scanner?: SecretScanner;
}

export interface LayerFileContext {
  layerIndex: number;
  layerDigest?: string;
  /** False when a later layer deletes the file (whiteout) or replaces it. */
  inFinalFs: boolean;
  /** Index of the layer that removes it, when known. */
  removedInLayer?: number;
}

function finding(m: SecretMatch, location: SecretLocation, note?: string): SecretFinding {
  const f: SecretFinding = {
    ruleId: m.rule.id,
    category: m.rule.category,
    title: m.rule.title,
    severity: m.rule.severity,
    location: { ...location, line: m.line },
    match: m.masked,
  };
  if (note) f.note = note;
  return f;
}

/** Secrets in one file of one layer. Binary, oversized and allow-listed files give nothing. */
export function scanFileForSecrets(
  path: string,
  content: Buffer,
  ctx: LayerFileContext,
  options: SecretScanOptions = {},
): SecretFinding[] {
  const scanner = options.scanner ?? defaultSecretScanner();
  const { matches } = scanner.scanFile(path, content);
  const location: SecretLocation = { kind: 'layer-file', path, layerIndex: ctx.layerIndex, inFinalFs: ctx.inFinalFs };
  if (ctx.layerDigest) location.layerDigest = ctx.layerDigest;
  let note: string | undefined;
  if (!ctx.inFinalFs) {
    if (ctx.removedInLayer !== undefined) location.removedInLayer = ctx.removedInLayer;
    note =
      ctx.removedInLayer !== undefined
        ? `removed in layer ${ctx.removedInLayer}, still in the image (layer ${ctx.layerIndex})`
        : `not in the final filesystem, still in the image (layer ${ctx.layerIndex})`;
  }
  return matches.map((m) => finding(m, location, note));
}

const NAME_RULE_FALLBACK: Omit<SecretRule, 'id' | 'keywords' | 'regex'> = {
  category: 'General',
  title: 'Secret in image configuration',
  severity: 'HIGH',
};

/** `NAME=value` pairs: content rules first, then the variable's name decides (secrets in ENV). */
function scanPair(
  scanner: SecretScanner,
  name: string,
  value: string,
  location: SecretLocation,
): SecretFinding[] {
  const matches = scanner.scanText(`${name}=${value}`, 'config');
  if (matches.length > 0) return matches.map((m) => finding(m, location));
  const kind = sensitiveEnvName(name);
  if (!kind || isPlaceholder(value)) return [];
  const rule = scanner.rules.find((r) => r.id === kind) ?? { ...NAME_RULE_FALLBACK, id: kind };
  return [
    {
      ruleId: rule.id,
      category: rule.category,
      title: `${rule.title} (by variable name)`,
      severity: rule.severity,
      location,
      match: `${name}=${maskSecret(value)}`,
    },
  ];
}

/** Secrets in the image config: Env, Labels and the history's `created_by` (build args leak there). */
export function scanImageConfigForSecrets(config: ImageConfigLike, options: SecretScanOptions = {}): SecretFinding[] {
  const scanner = options.scanner ?? defaultSecretScanner();
  const out: SecretFinding[] = [];
  for (const entry of config.config?.Env ?? []) {
    const eq = entry.indexOf('=');
    const name = eq === -1 ? entry : entry.slice(0, eq);
    const value = eq === -1 ? '' : entry.slice(eq + 1);
    out.push(...scanPair(scanner, name, value, { kind: 'config-env', path: name }));
  }
  for (const [key, value] of Object.entries(config.config?.Labels ?? {})) {
    out.push(...scanPair(scanner, key, value, { kind: 'config-label', path: key }));
  }
  (config.history ?? []).forEach((h, i) => {
    if (!h.created_by) return;
    const location: SecretLocation = { kind: 'history', path: `history[${i}]` };
    const matches = scanner.scanText(h.created_by, 'config');
    for (const m of matches) out.push(finding(m, location));
    if (matches.length > 0) return;
    // Build args used by a RUN step are recorded as `|N NAME=value ... /bin/sh -c ...`.
    for (const [name, value] of buildArgs(h.created_by)) out.push(...scanPair(scanner, name, value, location));
  });
  return out;
}

/** The `NAME=value` build args at the start of a classic-builder history line (`|2 A=1 B=2 /bin/sh -c ...`). */
export function buildArgs(createdBy: string): [string, string][] {
  const m = /^\|(\d+)\s+/.exec(createdBy);
  if (!m) return [];
  const words = createdBy.slice(m[0].length).split(/\s+/).slice(0, Number(m[1]));
  return words.flatMap((w) => {
    const eq = w.indexOf('=');
    return eq > 0 ? [[w.slice(0, eq), w.slice(eq + 1)] as [string, string]] : [];
  });
}
