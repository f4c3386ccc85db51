import type { MisconfigFinding } from '../analysis/misconfig/index.js';
import type { SecretFinding } from '../analysis/secrets/index.js';
import type { VulnFinding } from '../vulndb/types.js';
import { findIgnore, isExpired } from './ignore.js';
import { computeTotals } from './totals.js';
import type { ScanFilters, ScanReport, SuppressedFinding } from './types.js';
import { vexFor, vexSuppresses } from './vex.js';

/**
 * Applies severity, fixability, ignore-file and VEX filters to a report. Pure: returns a new report
 * whose suppression summary adds what ignore files and VEX removed (severity and `ignoreUnfixed`
 * only narrow the view and are not counted as suppressions).
 */
export function applyFilters(report: ScanReport, filters: ScanFilters): ScanReport {
  const now = filters.now ?? new Date();
  const suppressed: SuppressedFinding[] = [...report.suppressed.items];
  const warnings = [...report.warnings];
  const sevOk = (s: string): boolean => !filters.severities || filters.severities.some((x) => x === s);

  for (const e of filters.ignore?.entries ?? []) {
    if (isExpired(e, now)) warnings.push({ code: 'ignore-expired', message: `${e.source}: ignore entry for ${e.id} expired on ${e.expires}; not applied` });
  }
  for (const w of filters.ignore?.warnings ?? []) warnings.push({ code: 'ignore-file', message: w });

  const ignored = (s: Omit<SuppressedFinding, 'by' | 'source' | 'justification'>, ids: readonly string[], path?: string, purl?: string): boolean => {
    if (!filters.ignore) return false;
    const hit = findIgnore(filters.ignore, { kind: s.kind, ids, ...(path !== undefined ? { path } : {}), ...(purl !== undefined ? { purl } : {}) }, now);
    if (!hit) return false;
    suppressed.push({ ...s, by: 'ignorefile', source: hit.source, ...(hit.justification ? { justification: hit.justification } : {}) });
    return true;
  };

  const vulnerabilities = report.vulnerabilities.filter((v: VulnFinding) => {
    if (!sevOk(v.severity)) return false;
    if (filters.ignoreUnfixed && v.status !== 'fixed') return false;
    const ids = [v.advisoryId, ...v.aliases];
    const base = { kind: 'vulnerability' as const, id: v.advisoryId, target: v.package.purl };
    if (ignored(base, ids, v.package.path, v.package.purl)) return false;
    if (filters.vex) {
      const st = vexFor(filters.vex, ids, v.package.purl);
      if (vexSuppresses(st)) {
        suppressed.push({ ...base, by: 'vex', source: st!.source, justification: st!.justification ?? st!.status });
        return false;
      }
    }
    return true;
  });
  const secrets = report.secrets.filter((s: SecretFinding) => {
    if (!sevOk(s.severity)) return false;
    const target = s.location.path;
    return !ignored({ kind: 'secret', id: s.ruleId, ...(target !== undefined ? { target } : {}) }, [s.ruleId], target);
  });
  const misconfigurations = report.misconfigurations.filter((m: MisconfigFinding) => {
    if (!sevOk(m.severity)) return false;
    const target = m.location?.path;
    return !ignored({ kind: 'misconfiguration', id: m.id, ...(target !== undefined ? { target } : {}) }, [m.id], target);
  });

  const by = (k: SuppressedFinding['kind']): number => suppressed.filter((s) => s.kind === k).length;
  const next = { vulnerabilities, secrets, misconfigurations };
  return {
    ...report,
    ...next,
    warnings,
    suppressed: {
      total: suppressed.length,
      vulnerabilities: by('vulnerability'),
      secrets: by('secret'),
      misconfigurations: by('misconfiguration'),
      items: suppressed,
    },
    totals: computeTotals(next),
  };
}
