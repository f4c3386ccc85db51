import semverLib from 'semver';
import { InvalidVersionError, type VersionScheme, sign } from './types.js';

/** Strict SemVer 2.0 (npm, Cargo): build metadata is ignored for order. */
function semverScheme(name: string): VersionScheme {
  const parse = (v: string): semverLib.SemVer => {
    const p = semverLib.parse(v);
    if (!p) throw new InvalidVersionError(name, v);
    return p;
  };
  return {
    name,
    valid: (v) => semverLib.parse(v) !== null,
    compare: (a, b) => sign(semverLib.compare(parse(a), parse(b))),
  };
}

export const npm = semverScheme('npm');
export const cargo = semverScheme('cargo');

/** Go module versions: semver with a `v` (feeds often drop it), `+incompatible`, pseudo-versions, v1 / v1.2 shorthands. */
export function normalizeGo(v: string): string | undefined {
  let s = v.trim();
  // toolchain versions of the standard library ("go1.21.3") and module versions ("v1.2.3")
  if (s.startsWith('go')) s = s.slice(2);
  else if (s.startsWith('v')) s = s.slice(1);
  s = s.replace(/\+incompatible$/, '');
  const m = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?(.*)$/.exec(s);
  if (!m) return undefined;
  if (m[3] === undefined && m[4] !== '') return undefined;
  const out = `${m[1]}.${m[2] ?? '0'}.${m[3] ?? '0'}${m[4] ?? ''}`;
  return semverLib.valid(out) ? out : undefined;
}

export const golang: VersionScheme = {
  name: 'go',
  valid: (v) => normalizeGo(v) !== undefined,
  compare(a, b) {
    const x = normalizeGo(a);
    if (x === undefined) throw new InvalidVersionError('go', a);
    const y = normalizeGo(b);
    if (y === undefined) throw new InvalidVersionError('go', b);
    return sign(semverLib.compare(x, y));
  },
};
