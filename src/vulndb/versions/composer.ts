import { InvalidVersionError, type VersionScheme, compareDigits } from './types.js';

/**
 * Composer (Packagist) versions after Composer's VersionParser normalisation:
 * up to four numeric parts, then a stability (dev < alpha < beta < RC < stable < patch) with
 * an optional number, and an optional trailing `-dev`. Branch names (`dev-main`) have no order.
 */
const PATTERN =
  /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\.(\d+))?(?:[._-]?(stable|beta|b|rc|alpha|a|patch|pl|p)((?:[.-]?\d+)*))?([.-]?dev)?$/i;

const STABILITY: Record<string, number> = { alpha: 1, a: 1, beta: 2, b: 2, rc: 3, stable: 4, patch: 5, pl: 5, p: 5 };

interface ComposerVersion {
  parts: string[];
  stability: number;
  stabilityNo: string[];
  dev: boolean;
}

function parse(v: string): ComposerVersion | undefined {
  const m = PATTERN.exec(v.trim());
  if (!m) return undefined;
  const parts = [m[1], m[2], m[3], m[4]].map((p) => p ?? '0');
  const stability = m[5] ? STABILITY[m[5].toLowerCase()] ?? 4 : 4;
  const stabilityNo = (m[6] ?? '').split(/[.-]/).filter((s) => s.length > 0);
  return { parts, stability, stabilityNo, dev: m[7] !== undefined };
}

function cmp(a: ComposerVersion, b: ComposerVersion): number {
  for (let i = 0; i < 4; i++) {
    const c = compareDigits(a.parts[i]!, b.parts[i]!);
    if (c !== 0) return c;
  }
  // "1.0-dev" is a development snapshot before any pre-release of 1.0
  const sa = a.dev && a.stability === 4 && a.stabilityNo.length === 0 ? 0 : a.stability;
  const sb = b.dev && b.stability === 4 && b.stabilityNo.length === 0 ? 0 : b.stability;
  if (sa !== sb) return sa < sb ? -1 : 1;
  const n = Math.max(a.stabilityNo.length, b.stabilityNo.length);
  for (let i = 0; i < n; i++) {
    const c = compareDigits(a.stabilityNo[i] ?? '0', b.stabilityNo[i] ?? '0');
    if (c !== 0) return c;
  }
  if (a.dev !== b.dev) return a.dev ? -1 : 1;
  return 0;
}

export const composer: VersionScheme = {
  name: 'composer',
  valid: (v) => parse(v) !== undefined,
  compare(a, b) {
    const pa = parse(a);
    if (!pa) throw new InvalidVersionError('composer', a);
    const pb = parse(b);
    if (!pb) throw new InvalidVersionError('composer', b);
    return cmp(pa, pb);
  },
};
