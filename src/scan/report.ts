import type { MisconfigFinding } from '../analysis/misconfig/index.js';
import type { SecretFinding } from '../analysis/secrets/index.js';
import type { Package, Warning } from '../analysis/types.js';
import type { VulnFinding } from '../vulndb/types.js';
import { computeTotals, severityRank } from './totals.js';
import type { ReportArtifact, ScannerName, ScanReport } from './types.js';

export const TOOL_VERSION = '0.1.0';
export const SCHEMA_VERSION = 1;

export interface ReportParts {
  artifact: ReportArtifact;
  scanners: ScannerName[];
  packages: Package[];
  vulnerabilities: VulnFinding[];
  secrets: SecretFinding[];
  misconfigurations: MisconfigFinding[];
  warnings: Warning[];
  now: Date;
  toolVersion?: string;
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Assembles a report with stable ordering (so outputs diff cleanly) and fresh totals. */
export function buildReport(p: ReportParts): ScanReport {
  const byType: Record<string, number> = {};
  for (const pkg of p.packages) byType[pkg.type] = (byType[pkg.type] ?? 0) + 1;
  const secrets = [...p.secrets].sort(
    (a, b) =>
      (a.location.layerIndex ?? -1) - (b.location.layerIndex ?? -1) ||
      cmp(a.location.kind, b.location.kind) ||
      cmp(a.location.path ?? '', b.location.path ?? '') ||
      (a.location.line ?? 0) - (b.location.line ?? 0) ||
      cmp(a.ruleId, b.ruleId),
  );
  const misconfigurations = [...p.misconfigurations].sort(
    (a, b) => severityRank(a.severity) - severityRank(b.severity) || cmp(a.id, b.id) || cmp(a.location?.path ?? '', b.location?.path ?? ''),
  );
  const parts = { vulnerabilities: p.vulnerabilities, secrets, misconfigurations };
  return {
    schemaVersion: 1,
    createdAt: p.now.toISOString(),
    tool: { name: 'portcullis', version: p.toolVersion ?? TOOL_VERSION },
    artifact: p.artifact,
    scanners: p.scanners,
    packages: { total: p.packages.length, byType, items: p.packages },
    ...parts,
    warnings: p.warnings,
    suppressed: { total: 0, vulnerabilities: 0, secrets: 0, misconfigurations: 0, items: [] },
    totals: computeTotals(parts),
  };
}

/**
 * A report for a Dockerfile lint (`scan dockerfile`), so its findings can go through the same
 * writers (SARIF with line regions, table, json).
 */
export function dockerfileReport(file: string, findings: MisconfigFinding[], now = new Date()): ScanReport {
  return buildReport({
    artifact: { type: 'dockerfile', name: file, layers: [] },
    scanners: ['misconfig'],
    packages: [],
    vulnerabilities: [],
    secrets: [],
    misconfigurations: findings,
    warnings: [],
    now,
  });
}
