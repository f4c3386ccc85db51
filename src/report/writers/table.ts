import type { ScanReport, SeverityCounts } from '../../scan/types.js';
import { REPORT_SEVERITIES } from '../../scan/totals.js';
import type { Severity } from '../../vulndb/types.js';
import type { WriterOptions } from './types.js';

const COLOUR: Record<Severity, string> = { CRITICAL: '\x1b[1;31m', HIGH: '\x1b[31m', MEDIUM: '\x1b[33m', LOW: '\x1b[34m', NEGLIGIBLE: '\x1b[36m', UNKNOWN: '\x1b[37m' };
const RESET = '\x1b[0m';
const MAX_CELL = 60;

function cell(s: string): string {
  const flat = s.replace(/\s+/g, ' ');
  return flat.length > MAX_CELL ? `${flat.slice(0, MAX_CELL - 1)}…` : flat;
}

function table(header: string[], rows: string[][], sevColumn: number, color: boolean): string[] {
  const cells = rows.map((r) => r.map(cell));
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]!.length)));
  const line = (r: string[], paint: boolean): string =>
    r
      .map((c, i) => {
        const padded = i === r.length - 1 ? c : c.padEnd(widths[i]!);
        return paint && i === sevColumn && COLOUR[c as Severity] ? `${COLOUR[c as Severity]}${padded}${RESET}` : padded;
      })
      .join('  ')
      .trimEnd();
  return [line(header, false), line(widths.map((w) => '-'.repeat(w)), false), ...cells.map((r) => line(r, color))];
}

function counts(c: SeverityCounts, color: boolean): string {
  return REPORT_SEVERITIES.map((s) => (color && c[s] > 0 ? `${COLOUR[s]}${s}: ${c[s]}${RESET}` : `${s}: ${c[s]}`)).join(', ');
}

const total = (c: SeverityCounts): number => REPORT_SEVERITIES.reduce((n, s) => n + c[s], 0);

/** Human-readable report: one section per target (package file, secret location, check), totals by severity. */
export function tableReport(report: ScanReport, opts: WriterOptions = {}): string {
  const color = opts.color ?? false;
  const a = report.artifact;
  const out: string[] = [];
  out.push(`${a.name} (${a.type}${a.os ? `, ${a.os.prettyName ?? `${a.os.family} ${a.os.release}`}` : ''})`);
  if (a.digest) out.push(`digest: ${a.digest}`);
  out.push(`packages: ${report.packages.total}; scanners: ${report.scanners.join(', ') || 'none'}`);
  out.push(`Total: ${report.totals.findings} (${counts(report.totals.all, color)})`);
  if (report.suppressed.total > 0) out.push(`Suppressed: ${report.suppressed.total} (by ignore file or VEX)`);

  if (report.scanners.includes('vuln')) {
    const byTarget = new Map<string, typeof report.vulnerabilities>();
    for (const v of report.vulnerabilities) byTarget.set(v.package.path, [...(byTarget.get(v.package.path) ?? []), v]);
    out.push('', `Vulnerabilities: ${report.vulnerabilities.length} (${counts(report.totals.vulnerabilities, color)})`);
    for (const [target, list] of byTarget) {
      out.push('', `${target}`);
      out.push(
        ...table(
          ['PACKAGE', 'VULNERABILITY', 'SEVERITY', 'STATUS', 'INSTALLED', 'FIXED', 'TITLE'],
          list.map((v) => [v.package.name, v.advisoryId, v.severity, v.status, v.package.version, v.fixedVersion ?? '', v.title ?? '']),
          2,
          color,
        ),
      );
    }
  }
  if (report.scanners.includes('secret')) {
    out.push('', `Secrets: ${report.secrets.length} (${counts(report.totals.secrets, color)})`);
    const byTarget = new Map<string, typeof report.secrets>();
    for (const s of report.secrets) {
      const l = s.location;
      const key = l.kind === 'layer-file' ? `${l.path ?? ''} (layer ${l.layerIndex ?? '?'})` : `image config: ${l.kind.replace('config-', '')} ${l.path ?? ''}`;
      byTarget.set(key, [...(byTarget.get(key) ?? []), s]);
    }
    for (const [target, list] of byTarget) {
      out.push('', target);
      // `match` is already masked by the secret scanner; nothing here prints a clear value.
      out.push(...table(['RULE', 'SEVERITY', 'LINE', 'MATCH', 'NOTE'], list.map((s) => [s.ruleId, s.severity, String(s.location.line ?? ''), s.match, s.note ?? '']), 1, color));
    }
  }
  if (report.scanners.includes('misconfig')) {
    out.push('', `Misconfigurations: ${report.misconfigurations.length} (${counts(report.totals.misconfigurations, color)})`);
    for (const m of report.misconfigurations) {
      const l = m.location;
      const where = l ? `${l.path ?? l.kind}${l.startLine !== undefined ? `:${l.startLine}` : ''}` : '';
      const sev = color ? `${COLOUR[m.severity]}${m.severity}${RESET}` : m.severity;
      out.push('', `${m.id} [${sev}] ${m.title}${where ? ` (${where})` : ''}`, `  ${m.message}`);
      if (m.details?.length) out.push(...m.details.slice(0, 10).map((d) => `    - ${d}`), ...(m.details.length > 10 ? [`    … ${m.details.length - 10} more`] : []));
      out.push(`  Remediation: ${m.remediation}`);
    }
  }
  if (report.warnings.length > 0) {
    out.push('', `Warnings: ${report.warnings.length}`);
    out.push(...report.warnings.slice(0, 20).map((w) => `  ${w.code}: ${w.message}`));
    if (report.warnings.length > 20) out.push(`  … ${report.warnings.length - 20} more (see --format json)`);
  }
  if (total(report.totals.all) === 0) out.push('', 'No findings.');
  return `${out.join('\n')}\n`;
}
