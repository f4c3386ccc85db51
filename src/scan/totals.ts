import { SEVERITIES, type Severity } from '../vulndb/types.js';
import type { ReportTotals, ScanReport, SeverityCounts } from './types.js';

export const REPORT_SEVERITIES: readonly Severity[] = SEVERITIES;

export function zeroCounts(): SeverityCounts {
  return Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as SeverityCounts;
}

function count(list: readonly { severity: Severity }[]): SeverityCounts {
  const c = zeroCounts();
  for (const f of list) c[f.severity] = (c[f.severity] ?? 0) + 1;
  return c;
}

/** Per-severity counts of the findings a report holds. */
export function computeTotals(report: Pick<ScanReport, 'vulnerabilities' | 'secrets' | 'misconfigurations'>): ReportTotals {
  const vulnerabilities = count(report.vulnerabilities);
  const secrets = count(report.secrets);
  const misconfigurations = count(report.misconfigurations);
  const all = zeroCounts();
  for (const s of SEVERITIES) all[s] = vulnerabilities[s] + secrets[s] + misconfigurations[s];
  return {
    vulnerabilities,
    secrets,
    misconfigurations,
    all,
    findings: report.vulnerabilities.length + report.secrets.length + report.misconfigurations.length,
  };
}

/** Severity rank, highest first (for sorting). */
export function severityRank(s: Severity): number {
  const i = SEVERITIES.indexOf(s);
  return i < 0 ? SEVERITIES.length : i;
}

/** Parses `CRITICAL,HIGH` (any case); throws naming the allowed values on a typo. */
export function parseSeverityList(list: string): Severity[] {
  const out = list
    .split(',')
    .map((s) => s.trim().toUpperCase())
    .filter((s) => s.length > 0);
  const bad = out.filter((s) => !(SEVERITIES as readonly string[]).includes(s));
  if (bad.length > 0) throw new Error(`unknown severity ${bad.join(', ')}; use ${SEVERITIES.join(', ')}`);
  return out as Severity[];
}
