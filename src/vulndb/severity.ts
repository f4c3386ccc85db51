import { SEVERITIES, type Severity } from './types.js';

/** CVSS v3/v4 qualitative rating of a base score. */
export function severityFromScore(score: number): Severity {
  if (score >= 9) return 'CRITICAL';
  if (score >= 7) return 'HIGH';
  if (score >= 4) return 'MEDIUM';
  if (score > 0) return 'LOW';
  return 'NEGLIGIBLE';
}

const WORDS: Record<string, Severity> = {
  critical: 'CRITICAL',
  high: 'HIGH',
  important: 'HIGH',
  medium: 'MEDIUM',
  moderate: 'MEDIUM',
  low: 'LOW',
  negligible: 'NEGLIGIBLE',
  unimportant: 'NEGLIGIBLE',
};

/** A feed's rating word ("MODERATE", "low**", "unimportant") as a Severity; undefined when none applies. */
export function parseSeverityWord(word: string | undefined): Severity | undefined {
  if (!word) return undefined;
  const w = word.toLowerCase().replace(/\*+$/, '').trim();
  return WORDS[w];
}

export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}
