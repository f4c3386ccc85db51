import { InvalidVersionError, type VersionScheme, compareDigits, compareStrings } from './types.js';

/** RPM version order: rpmvercmp (rpmio/rpmvercmp.c) over [epoch:]version[-release], with `~` and `^`. */
export interface RpmVersion {
  epoch: string | undefined;
  version: string;
  release: string | undefined;
}

const isAlnum = (c: string): boolean => /[A-Za-z0-9]/.test(c);
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isAlpha = (c: string | undefined): boolean => c !== undefined && /[A-Za-z]/.test(c);

export function rpmvercmp(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while (i < a.length && !isAlnum(a[i]!) && a[i] !== '~' && a[i] !== '^') i++;
    while (j < b.length && !isAlnum(b[j]!) && b[j] !== '~' && b[j] !== '^') j++;
    // `~` sorts before everything, even the end of the string.
    if (a[i] === '~' || b[j] === '~') {
      if (a[i] !== '~') return 1;
      if (b[j] !== '~') return -1;
      i++;
      j++;
      continue;
    }
    // `^` sorts after the end of the string but before anything else.
    if (a[i] === '^' || b[j] === '^') {
      if (i >= a.length) return -1;
      if (j >= b.length) return 1;
      if (a[i] !== '^') return 1;
      if (b[j] !== '^') return -1;
      i++;
      j++;
      continue;
    }
    if (!(i < a.length && j < b.length)) break;
    const si = i;
    const sj = j;
    const numeric = isDigit(a[i]);
    const pred = numeric ? isDigit : isAlpha;
    while (i < a.length && pred(a[i])) i++;
    while (j < b.length && pred(b[j])) j++;
    // a numeric segment is newer than an alpha one
    if (j === sj) return numeric ? 1 : -1;
    const x = a.slice(si, i);
    const y = b.slice(sj, j);
    const rc = numeric ? compareDigits(x, y) : compareStrings(x, y);
    if (rc !== 0) return rc;
  }
  if (i >= a.length && j >= b.length) return 0;
  return i < a.length ? 1 : -1;
}

export function parseRpm(v: string): RpmVersion | undefined {
  const s = v.trim();
  if (s.length === 0 || /\s/.test(s)) return undefined;
  let epoch: string | undefined;
  let rest = s;
  const colon = s.indexOf(':');
  if (colon >= 0) {
    epoch = s.slice(0, colon);
    if (!/^\d+$/.test(epoch)) return undefined;
    rest = s.slice(colon + 1);
  }
  const dash = rest.lastIndexOf('-');
  const version = dash >= 0 ? rest.slice(0, dash) : rest;
  const release = dash >= 0 ? rest.slice(dash + 1) : undefined;
  if (version.length === 0) return undefined;
  return { epoch, version, release };
}

/** rpmverCmp: epochs (missing = 0), versions, then releases only when both carry one. */
export function compareRpmParsed(a: RpmVersion, b: RpmVersion): number {
  let rc = rpmvercmp(a.epoch ?? '0', b.epoch ?? '0');
  if (rc === 0) {
    rc = rpmvercmp(a.version, b.version);
    if (rc === 0 && a.release !== undefined && b.release !== undefined) rc = rpmvercmp(a.release, b.release);
  }
  return rc;
}

export const rpm: VersionScheme = {
  name: 'rpm',
  valid: (v) => parseRpm(v) !== undefined,
  compare(a, b) {
    const pa = parseRpm(a);
    if (!pa) throw new InvalidVersionError('rpm', a);
    const pb = parseRpm(b);
    if (!pb) throw new InvalidVersionError('rpm', b);
    return compareRpmParsed(pa, pb);
  },
};
