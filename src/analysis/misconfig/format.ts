import { SEVERITIES } from '../secrets/types.js';
import type { MisconfigFinding, Severity } from './types.js';

/** Parses `--severity CRITICAL,HIGH` (Trivy's syntax); throws with the allowed values on a typo. */
export function parseSeverities(list: string): Severity[] {
  const out = list
    .split(',')
    .map((s) => s.trim().toUpperCase())
    .filter((s) => s.length > 0);
  const bad = out.filter((s) => !(SEVERITIES as readonly string[]).includes(s));
  if (bad.length) throw new Error(`unknown severity ${bad.join(', ')}; use ${SEVERITIES.join(', ')}`);
  return out as Severity[];
}

const RANK: Record<Severity, number> = { CRITICAL: 0, HIGH: 1, MEDIUM: 2, LOW: 3, UNKNOWN: 4 };

export function sortFindings(findings: readonly MisconfigFinding[]): MisconfigFinding[] {
  return [...findings].sort(
    (a, b) => (a.location?.startLine ?? 0) - (b.location?.startLine ?? 0) || RANK[a.severity] - RANK[b.severity] || a.id.localeCompare(b.id),
  );
}

function where(f: MisconfigFinding): string {
  const l = f.location;
  if (!l) return '';
  if (l.startLine !== undefined) return l.endLine !== undefined && l.endLine !== l.startLine ? `${l.startLine}-${l.endLine}` : `${l.startLine}`;
  return l.path ?? '';
}

/** A plain-text table: one row per finding, then the severity counts. */
export function formatMisconfigTable(target: string, findings: readonly MisconfigFinding[]): string {
  const counts = SEVERITIES.map((s) => `${s}: ${findings.filter((f) => f.severity === s).length}`).join(', ');
  const lines = [`${target}`, `Total: ${findings.length} (${counts})`];
  if (findings.length === 0) return `${lines.join('\n')}\n`;
  const rows = findings.map((f) => [where(f), f.id, f.severity, f.title, f.message]);
  const header = ['LOCATION', 'ID', 'SEVERITY', 'TITLE', 'MESSAGE'];
  const widths = header.map((h, i) => Math.min(60, Math.max(h.length, ...rows.map((r) => r[i]!.length))));
  const fmt = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  lines.push('', fmt(header), fmt(widths.map((w) => '-'.repeat(w))), ...rows.map(fmt));
  return `${lines.join('\n')}\n`;
}
