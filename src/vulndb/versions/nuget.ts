import { InvalidVersionError, type VersionScheme, compareDigits, compareStrings } from './types.js';

/** NuGet versions: SemVer 2.0 with an optional fourth part and case-insensitive labels. */
const PATTERN = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z.-]+)?$/;

interface NugetVersion {
  parts: string[];
  pre: string[];
}

function parse(v: string): NugetVersion | undefined {
  const m = PATTERN.exec(v.trim());
  if (!m) return undefined;
  return { parts: [m[1], m[2], m[3], m[4]].map((p) => p ?? '0'), pre: m[5] ? m[5].toLowerCase().split('.') : [] };
}

function cmpLabel(a: string, b: string): number {
  const an = /^\d+$/.test(a);
  const bn = /^\d+$/.test(b);
  if (an && bn) return compareDigits(a, b);
  if (an) return -1;
  if (bn) return 1;
  return compareStrings(a, b);
}

function cmp(a: NugetVersion, b: NugetVersion): number {
  for (let i = 0; i < 4; i++) {
    const c = compareDigits(a.parts[i]!, b.parts[i]!);
    if (c !== 0) return c;
  }
  if (a.pre.length === 0 || b.pre.length === 0) return a.pre.length === b.pre.length ? 0 : a.pre.length === 0 ? 1 : -1;
  const n = Math.max(a.pre.length, b.pre.length);
  for (let i = 0; i < n; i++) {
    const x = a.pre[i];
    const y = b.pre[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const c = cmpLabel(x, y);
    if (c !== 0) return c;
  }
  return 0;
}

export const nuget: VersionScheme = {
  name: 'nuget',
  valid: (v) => parse(v) !== undefined,
  compare(a, b) {
    const pa = parse(a);
    if (!pa) throw new InvalidVersionError('nuget', a);
    const pb = parse(b);
    if (!pb) throw new InvalidVersionError('nuget', b);
    return cmp(pa, pb);
  },
};
