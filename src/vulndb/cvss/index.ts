import type { CvssScore, Severity } from '../types.js';
import { severityFromScore } from '../severity.js';
import { parseCvss3, scoreCvss3 } from './v3.js';
import { parseCvss4, scoreCvss4 } from './v4.js';

export { parseCvss3, scoreCvss3 } from './v3.js';
export { parseCvss4, scoreCvss4, macroVector } from './v4.js';

/** Version of a vector string: "4.0", "3.1", "3.0", "2.0" (v2 vectors carry no prefix), or undefined. */
export function cvssVersion(vector: string): string | undefined {
  const m = /^CVSS:(\d\.\d)\//.exec(vector);
  if (m) return m[1];
  if (/^\(?AV:[LAN]\/AC:[HML]\/Au:[MSN]\/C:[NPC]\/I:[NPC]\/A:[NPC]/.test(vector)) return '2.0';
  return undefined;
}

/** Base score of a v3.x or v4.0 vector; undefined for other versions. Throws on malformed vectors. */
export function scoreVector(vector: string): number | undefined {
  const version = cvssVersion(vector);
  if (version === '4.0') return scoreCvss4(parseCvss4(vector));
  if (version === '3.1' || version === '3.0') return scoreCvss3(parseCvss3(vector));
  return undefined;
}

/** A CvssScore for a vector from a feed; a vector that does not parse keeps no score. */
export function cvssFromVector(vector: string, source: string, score?: number): CvssScore {
  const version = cvssVersion(vector) ?? 'unknown';
  let computed: number | undefined;
  try {
    computed = scoreVector(vector);
  } catch {
    computed = undefined;
  }
  const out: CvssScore = { version, vector, source };
  const s = computed ?? score;
  if (s !== undefined) out.score = s;
  return out;
}

/** Severity from the highest-version scored CVSS entry (v4 over v3 over v2). */
export function severityFromCvss(entries: CvssScore[]): Severity | undefined {
  const scored = entries.filter((e) => e.score !== undefined).sort((a, b) => b.version.localeCompare(a.version));
  const best = scored[0];
  return best?.score === undefined ? undefined : severityFromScore(best.score);
}
