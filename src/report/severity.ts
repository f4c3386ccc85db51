import type { Severity } from '../vulndb/types.js';
import type { CvssScore } from '../vulndb/types.js';

/** A CVSS-like score per severity for findings without a CVSS score (the midpoints GitHub's bands use). */
const SCORE: Record<Severity, number> = { CRITICAL: 9.5, HIGH: 8.0, MEDIUM: 5.5, LOW: 2.0, NEGLIGIBLE: 0.5, UNKNOWN: 0.0 };

/** `security-severity` for SARIF: the highest CVSS base score when known, else the severity's band. */
export function securitySeverity(severity: Severity, cvss: readonly CvssScore[] = []): string {
  const scores = cvss.map((c) => c.score).filter((s): s is number => typeof s === 'number');
  const score = scores.length > 0 ? Math.max(...scores) : SCORE[severity];
  return score.toFixed(1);
}

export function sarifLevel(severity: Severity): 'error' | 'warning' | 'note' {
  if (severity === 'CRITICAL' || severity === 'HIGH') return 'error';
  if (severity === 'MEDIUM') return 'warning';
  return 'note';
}
