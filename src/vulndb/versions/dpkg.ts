import { InvalidVersionError, type VersionScheme, compareDigits } from './types.js';

/** Debian package version order, as dpkg's verrevcmp (lib/dpkg/version.c) defines it. */
export interface DpkgVersion {
  epoch: number;
  upstream: string;
  revision: string;
}

const UPSTREAM = /^[A-Za-z0-9.+~:-]+$/;
const REVISION = /^[A-Za-z0-9.+~]*$/;

export function parseDpkg(version: string): DpkgVersion | undefined {
  const v = version.trim();
  if (v.length === 0 || /\s/.test(v)) return undefined;
  let epoch = 0;
  let rest = v;
  const colon = v.indexOf(':');
  if (colon >= 0) {
    const e = v.slice(0, colon);
    if (!/^\d+$/.test(e) || e.length > 9) return undefined;
    epoch = Number(e);
    rest = v.slice(colon + 1);
  }
  const dash = rest.lastIndexOf('-');
  const upstream = dash >= 0 ? rest.slice(0, dash) : rest;
  const revision = dash >= 0 ? rest.slice(dash + 1) : '';
  if (upstream.length === 0 || !/^\d/.test(upstream) || !UPSTREAM.test(upstream)) return undefined;
  if (dash >= 0 && revision.length === 0) return undefined;
  if (!REVISION.test(revision)) return undefined;
  return { epoch, upstream, revision };
}

function order(c: string | undefined): number {
  if (c === undefined) return 0;
  if (c >= '0' && c <= '9') return 0;
  if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) return c.charCodeAt(0);
  if (c === '~') return -1;
  return c.charCodeAt(0) + 256;
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

/** dpkg's verrevcmp: alternate non-digit runs (by `order`) and digit runs (numerically). */
export function verrevcmp(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while ((i < a.length && !isDigit(a[i])) || (j < b.length && !isDigit(b[j]))) {
      const ac = order(i < a.length && !isDigit(a[i]) ? a[i] : undefined);
      const bc = order(j < b.length && !isDigit(b[j]) ? b[j] : undefined);
      if (ac !== bc) return ac < bc ? -1 : 1;
      if (i < a.length && !isDigit(a[i])) i++;
      if (j < b.length && !isDigit(b[j])) j++;
    }
    const si = i;
    while (isDigit(a[i])) i++;
    const sj = j;
    while (isDigit(b[j])) j++;
    const d = compareDigits(a.slice(si, i) || '0', b.slice(sj, j) || '0');
    if (d !== 0) return d;
  }
  return 0;
}

export function compareDpkgParsed(a: DpkgVersion, b: DpkgVersion): number {
  if (a.epoch !== b.epoch) return a.epoch < b.epoch ? -1 : 1;
  const u = verrevcmp(a.upstream, b.upstream);
  if (u !== 0) return u;
  return verrevcmp(a.revision, b.revision);
}

export const dpkg: VersionScheme = {
  name: 'dpkg',
  valid: (v) => parseDpkg(v) !== undefined,
  compare(a, b) {
    const pa = parseDpkg(a);
    if (!pa) throw new InvalidVersionError('dpkg', a);
    const pb = parseDpkg(b);
    if (!pb) throw new InvalidVersionError('dpkg', b);
    return compareDpkgParsed(pa, pb);
  },
};
