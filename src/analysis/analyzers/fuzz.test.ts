import { deflateSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Analyzer } from '../analyzer.js';
import { ALL_ANALYZERS } from './index.js';
import { elf, inlineElf, pointerElf } from './testing/elf-fixture.js';
import { input } from './testing/input.js';
import { BASH, OPENSSL, bdbFile, ndbFile, sqliteFile } from './testing/rpm-fixtures.js';
import { makeZip } from './testing/zip-fixture.js';

/** Valid inputs per path; the fuzzer damages them (bit flips, truncation, splices). */
const SEEDS: [string, Buffer][] = [
  ['/var/lib/rpm/Packages', bdbFile([BASH, OPENSSL])],
  ['/usr/lib/sysimage/rpm/Packages.db', ndbFile([BASH, OPENSSL])],
  ['/var/lib/rpm/rpmdb.sqlite', sqliteFile([BASH])],
  ['/usr/bin/app', inlineElf()],
  ['/usr/bin/old', pointerElf()],
  ['/usr/bin/rusty', elf(() => Buffer.alloc(16), { '.dep-v0': deflateSync('{"packages":[{"name":"a","version":"1"}]}') })],
  [
    '/app/app.jar',
    makeZip({
      'META-INF/maven/g/a/pom.properties': 'groupId=g\nartifactId=a\nversion=1\n',
      'lib/inner.jar': makeZip({ 'META-INF/MANIFEST.MF': 'Implementation-Version: 2\n' }),
    }),
  ],
  ['/var/lib/dpkg/status', Buffer.from('Package: a\nStatus: install ok installed\nVersion: 1:2-3\nSource: b (2-3)\n\n')],
  ['/lib/apk/db/installed', Buffer.from('P:a\nV:1-r0\nA:x86_64\nF:usr\nR:a\n\n')],
  ['/etc/os-release', Buffer.from('ID=debian\nVERSION_ID="12"\n')],
  ['/app/package-lock.json', Buffer.from('{"lockfileVersion":3,"packages":{"node_modules/a":{"version":"1.0.0"}}}')],
  ['/app/pnpm-lock.yaml', Buffer.from("lockfileVersion: '9.0'\npackages:\n  a@1.0.0:\n    resolution: {}\n")],
];

function damage(seed: Buffer, flips: [number, number][], cut: number): Buffer {
  const b = Buffer.from(seed.subarray(0, Math.max(1, Math.floor(seed.length * cut))));
  for (const [pos, val] of flips) b[pos % b.length] = val;
  return b;
}

// Declared size is fixed: the point is the parsers, not the size gates.
const wanting = (path: string): Analyzer[] =>
  ALL_ANALYZERS.filter((a) => a.wants({ path, size: 1 << 20, mode: 0o100755 }));

describe('analyzers on damaged input', () => {
  it('seeds are wanted and produce packages (so the fuzzing reaches the parsers)', () => {
    for (const [path, seed] of SEEDS) {
      const as = wanting(path);
      expect(as.length, path).toBeGreaterThan(0);
      if (path === '/etc/os-release') continue;
      const found = as.some((a) => (a.analyze(input({ [path]: seed })).packages ?? []).length > 0);
      expect(found, path).toBe(true);
    }
  });

  it('never throw, whatever the bytes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: SEEDS.length - 1 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 12 }),
        fc.double({ min: 0.05, max: 1, noNaN: true }),
        (i, flips, cut) => {
          const [path, seed] = SEEDS[i]!;
          const bytes = damage(seed, flips, cut);
          for (const a of wanting(path)) {
            const out = a.analyze(input({ [path]: bytes }));
            for (const p of out.packages ?? []) {
              expect(typeof p.name).toBe('string');
              expect(p.purl.startsWith('pkg:')).toBe(true);
            }
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});
