import { InvalidVersionError, type VersionScheme, compareDigits, compareStrings } from './types.js';

/** RubyGems' Gem::Version order ("-" means ".pre.", letters make a prerelease). */
const PATTERN = /^\s*([0-9]+(?:\.[0-9a-zA-Z]+)*(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?)?\s*$/;

type Segment = string | { n: string };

function canonicalSegments(version: string): Segment[] {
  const v = version.trim().replace(/-/g, '.pre.');
  const segs: Segment[] = (v.match(/[0-9]+|[a-z]+/gi) ?? []).map((s) => (/^\d/.test(s) ? { n: s.replace(/^0+/, '') || '0' } : s));
  const firstString = segs.findIndex((s) => typeof s === 'string');
  const numeric = firstString < 0 ? segs : segs.slice(0, firstString);
  const strings = firstString < 0 ? [] : segs.slice(firstString);
  const trim = (xs: Segment[]): Segment[] => {
    const out = [...xs];
    while (out.length > 0) {
      const last = out[out.length - 1]!;
      if (typeof last !== 'string' && last.n === '0') out.pop();
      else break;
    }
    return out;
  };
  return [...trim(numeric), ...trim(strings)];
}

function compareGems(a: string, b: string): number {
  const l = canonicalSegments(a);
  const r = canonicalSegments(b);
  const n = Math.max(l.length, r.length);
  for (let i = 0; i < n; i++) {
    const x = l[i] ?? { n: '0' };
    const y = r[i] ?? { n: '0' };
    if (typeof x === 'string' && typeof y === 'string') {
      const c = compareStrings(x, y);
      if (c !== 0) return c;
    } else if (typeof x === 'string') return -1;
    else if (typeof y === 'string') return 1;
    else {
      const c = compareDigits(x.n, y.n);
      if (c !== 0) return c;
    }
  }
  return 0;
}

export const rubygems: VersionScheme = {
  name: 'rubygems',
  valid: (v) => v.trim().length > 0 && PATTERN.test(v),
  compare(a, b) {
    if (!rubygems.valid(a)) throw new InvalidVersionError('rubygems', a);
    if (!rubygems.valid(b)) throw new InvalidVersionError('rubygems', b);
    return compareGems(a, b);
  },
};
