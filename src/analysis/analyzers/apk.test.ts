import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { corpusPath, hasCorpus, parseTsv } from '../../testing/corpus.js';
import { apkAnalyzer } from './apk.js';
import { input } from './testing/input.js';

const ALPINE = { family: 'alpine', name: 'Alpine Linux', release: '3.19' };
const DB = `C:Q1abc=
P:libcrypto3
V:3.1.4-r5
A:x86_64
L:Apache-2.0
o:openssl
F:usr/lib
R:libcrypto.so.3

P:noversion

P:busybox
V:1.36.1-r15
A:x86_64
`;

describe('apk analyzer', () => {
  it('lists packages with origin, license, purl and file owners', () => {
    const out = apkAnalyzer.analyze(input({ '/lib/apk/db/installed': DB }, ALPINE));
    expect(out.packages?.map((p) => [p.name, p.version, p.sourceName, p.arch, p.licenses])).toEqual([
      ['libcrypto3', '3.1.4-r5', 'openssl', 'x86_64', ['Apache-2.0']],
      ['busybox', '1.36.1-r15', 'busybox', 'x86_64', undefined],
    ]);
    expect(out.packages?.[0]?.purl).toBe('pkg:apk/alpine/libcrypto3@3.1.4-r5?arch=x86_64&distro=alpine-3.19');
    expect(out.packages?.[0]?.ecosystem).toBe('Alpine:v3.19');
    expect(out.fileOwners).toEqual({ '/usr/lib': 'libcrypto3', '/usr/lib/libcrypto.so.3': 'libcrypto3' });
    expect(out.warnings?.map((w) => w.code)).toEqual(['apk-bad-record']);
  });

  it('wants both database locations', () => {
    expect(apkAnalyzer.wants({ path: '/usr/lib/apk/db/installed', size: 1, mode: 0 })).toBe(true);
    expect(apkAnalyzer.wants({ path: '/lib/apk/db/triggers', size: 1, mode: 0 })).toBe(false);
  });
});

describe.skipIf(!hasCorpus)('apk analyzer on peer fixtures', () => {
  const dir = (f: string) => corpusPath('peer-fixtures', 'apk', f);
  const cases: [string, string][] = [
    ['trivy-installed', 'src_name'],
    ['syft-multiple-2-installed', 'origin'],
  ];
  for (const [name, srcCol] of cases) {
    it(`${name} gives exactly the upstream list`, () => {
      const out = apkAnalyzer.analyze(input({ '/lib/apk/db/installed': readFileSync(dir(name)) }));
      const got = (out.packages ?? []).map((p) => [p.name, p.version, p.sourceName].join('\t')).sort();
      const want = parseTsv(readFileSync(dir(`${name}.expected.tsv`), 'utf8'))
        .map((r) => [r.name, r.version, r[srcCol]].join('\t'))
        .sort();
      expect(got).toEqual(want);
    });
  }

  it('syft corrupt database is refused with a warning', () => {
    const out = apkAnalyzer.analyze(input({ '/lib/apk/db/installed': readFileSync(dir('syft-corrupt-installed')) }));
    expect(out.packages).toEqual([]);
    expect(out.warnings?.map((w) => w.code)).toEqual(['apk-corrupt']);
  });
});
