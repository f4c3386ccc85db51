import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { corpusPath, hasCorpus, parseTsv } from '../../testing/corpus.js';
import { SCHEMES, schemeByName, schemeForEcosystem } from './index.js';

describe.skipIf(!hasCorpus)('peer version vectors', () => {
  // The describe body runs at collection even when skipped: read only when the corpus is there.
  const rows = hasCorpus ? parseTsv(readFileSync(corpusPath('peer-fixtures/version-vectors.tsv'), 'utf8')) : [];
  it('has vectors for every scheme it names', () => {
    expect(rows.length).toBeGreaterThan(1000);
  });
  for (const scheme of ['apk', 'rpm', 'deb', 'maven', 'pep440', 'npm']) {
    it(`${scheme}: every vector agrees with the reference implementation`, () => {
      const impl = schemeByName(scheme)!;
      const failures = rows
        .filter((r) => r.scheme === scheme)
        .map((r) => ({ ...r, got: impl.compare(r.a!, r.b!) }))
        .filter((r) => String(r.got) !== (r as Record<string, unknown>).expected);
      expect(failures).toEqual([]);
    });
  }
});

/** Small vectors of our own, per scheme: each list is strictly ascending. */
const ASCENDING: Record<string, string[]> = {
  dpkg: ['0.9', '1.0~rc1', '1.0', '1.0-1', '1.0-1+b1', '1.0-1+deb12u1', '1.0a', '1.0+dfsg', '1:0.1'],
  rpm: ['1.0~rc1', '1.0', '1.0^git1', '1.0a', '1.0.1', '1:0.5'],
  apk: ['1.0_alpha1', '1.0_rc2', '1.0', '1.0-r1', '1.0_p1', '1.0a', '1.1', '2.0'],
  npm: ['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-beta', '1.0.0', '1.0.1', '1.10.0'],
  pep440: ['1.0.dev0', '1.0a1', '1.0rc1', '1.0', '1.0.post1', '1.1', '2!0.1'],
  maven: ['1.0-alpha-1', '1.0-beta', '1.0-rc1', '1.0-SNAPSHOT', '1.0', '1.0-sp1', '1.0.1'],
  rubygems: ['1.0.a', '1.0.b1', '1.0.pre', '1.0', '1.0.1', '1.1'],
  go: ['v0.0.0-20191109021931-daa7c04131f5', 'v0.1.0', 'v1.2.3-pre', 'v1.2.3', 'v1.10.0', 'v2.0.0+incompatible', 'v2.0.1'],
  cargo: ['0.1.0', '0.1.1-rc.1', '0.1.1', '1.0.0'],
  composer: ['1.0.0-dev', '1.0.0-alpha1', '1.0.0-beta2', '1.0.0-RC1', '1.0.0', '1.0.0-p1', 'v1.0.1', '1.0.1.1'],
  nuget: ['1.0.0-alpha', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0', '1.0.0.1', '1.0.1'],
};

const EQUAL: [string, string, string][] = [
  ['dpkg', '1.0', '0:1.0'],
  ['dpkg', '1.0-0', '1.0-'.slice(0, 3) + '-0'],
  ['go', 'v1.2.3', '1.2.3'],
  ['go', 'v1', 'v1.0.0'],
  ['go', 'go1.21.3', '1.21.3'],
  ['go', 'go1.21', 'v1.21.0'],
  ['maven', '1.0', '1.0.0'],
  ['maven', '1-final', '1'],
  ['rubygems', '1.0.0', '1'],
  ['nuget', '1.0', '1.0.0.0'],
  ['nuget', '1.0.0-Beta', '1.0.0-beta'],
  ['composer', 'v2.1', '2.1.0.0'],
  ['npm', '1.0.0+build1', '1.0.0+build2'],
];

describe('version schemes', () => {
  for (const [name, list] of Object.entries(ASCENDING)) {
    it(`${name}: orders its own vectors`, () => {
      const s = SCHEMES[name]!;
      for (let i = 0; i < list.length; i++) {
        expect(s.valid(list[i]!), list[i]).toBe(true);
        for (let j = 0; j < list.length; j++) {
          expect(s.compare(list[i]!, list[j]!), `${list[i]} vs ${list[j]}`).toBe(Math.sign(i - j));
        }
      }
    });
  }
  it('treats equivalent spellings as equal', () => {
    for (const [name, a, b] of EQUAL) expect(SCHEMES[name]!.compare(a, b), `${name} ${a} ${b}`).toBe(0);
  });
  it('rejects invalid versions with a clear error', () => {
    expect(() => SCHEMES.dpkg!.compare('abc', '1.0')).toThrow(/invalid dpkg version/);
    expect(() => SCHEMES.npm!.compare('1.x', '1.0.0')).toThrow(/invalid npm/);
    expect(() => SCHEMES.pep440!.compare('not a version', '1.0')).toThrow(/invalid pep440/);
    expect(SCHEMES.composer!.valid('dev-main')).toBe(false);
    expect(SCHEMES.dpkg!.valid('1:')).toBe(false);
  });
  it('maps OSV ecosystems to schemes', () => {
    expect(schemeForEcosystem('Debian:12')?.name).toBe('dpkg');
    expect(schemeForEcosystem('Alpine:v3.19')?.name).toBe('apk');
    expect(schemeForEcosystem('PyPI')?.name).toBe('pep440');
    expect(schemeForEcosystem('crates.io')?.name).toBe('cargo');
    expect(schemeForEcosystem('Go')?.name).toBe('go');
    expect(schemeForEcosystem('NoSuchEcosystem')).toBeUndefined();
  });
});

/** Version-shaped strings for each scheme, so the property tests hit real comparison paths. */
const num = fc.integer({ min: 0, max: 12 }).map(String);
const pick = <T>(...xs: T[]): fc.Arbitrary<T> => fc.constantFrom(...xs);
const join = (...parts: fc.Arbitrary<string>[]): fc.Arbitrary<string> => fc.tuple(...parts).map((p) => p.join(''));
const opt = (a: fc.Arbitrary<string>): fc.Arbitrary<string> => fc.option(a, { nil: undefined }).map((x) => x ?? '');
const GEN: Record<string, fc.Arbitrary<string>> = {
  dpkg: join(opt(join(num, pick(':'))), num, pick('', '.', '~', '+', 'a', '.1'), num, opt(join(pick('-'), num, pick('', '+b', '+deb12u', '~'), num))),
  rpm: join(opt(join(num, pick(':'))), num, pick('.', '~', '^', 'a', '_'), num, opt(join(pick('-'), num, pick('', '.el', '~'), num))),
  apk: join(num, pick('', '.'), num, pick('', 'a', '_alpha', '_rc2', '_p', '_p1', '~ab'), opt(join(pick('-r'), num))),
  npm: join(num, pick('.'), num, pick('.'), num, pick('', '-alpha', '-beta.1', '-rc.2', '-1')),
  pep440: join(num, pick('.'), num, pick('', 'a1', 'b2', 'rc1', '.post1', '.dev3')),
  maven: join(num, pick('.', '-'), num, pick('', '-alpha', '-beta-1', '-SNAPSHOT', '.Final', '-sp', 'rc1', '.a')),
  rubygems: join(num, pick('.'), num, pick('', '.a', '.pre.1', '.rc2', '.0')),
  go: join(pick('v'), num, pick('.'), num, pick('.'), num, pick('', '-pre', '-0.20191109021931-daa7c04131f5', '+incompatible')),
  cargo: join(num, pick('.'), num, pick('.'), num, pick('', '-alpha.1', '-beta')),
  composer: join(num, pick('.'), num, pick('', '-alpha1', '-beta', '-RC2', '-dev', '-p1', '.3')),
  nuget: join(num, pick('.'), num, pick('', '.4', '-beta', '-Beta.2', '-rc.10')),
};

describe('version order properties', () => {
  for (const [name, gen] of Object.entries(GEN)) {
    it(`${name}: compare is a total order (antisymmetric, transitive, reflexive)`, () => {
      const s = SCHEMES[name]!;
      fc.assert(
        fc.property(gen, gen, gen, (a, b, c) => {
          expect(s.valid(a)).toBe(true);
          expect(s.compare(a, a)).toBe(0);
          expect(s.compare(a, b)).toBe(0 - s.compare(b, a) || 0);
          const ab = s.compare(a, b);
          const bc = s.compare(b, c);
          if (ab <= 0 && bc <= 0) expect(s.compare(a, c)).toBeLessThanOrEqual(0);
          if (ab >= 0 && bc >= 0) expect(s.compare(a, c)).toBeGreaterThanOrEqual(0);
        }),
        { numRuns: 300 },
      );
    });
  }
});
