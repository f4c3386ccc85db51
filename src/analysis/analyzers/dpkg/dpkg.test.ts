import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { corpusPath, hasCorpus, parseTsv } from '../../../testing/corpus.js';
import { DEBIAN_12, input } from '../testing/input.js';
import { parseDebControl, type Stanza } from './control.js';
import { dep5Licenses } from './copyright.js';
import { dpkgAnalyzer } from './index.js';
import { debVersionProblem } from './version.js';

const STATUS = `Package: libc6
Status: install ok installed
Architecture: amd64
Source: glibc
Version: 2.36-9+deb12u4
Description: GNU C Library
 continuation line

Package: bsdutils
Status: install ok installed
Architecture: amd64
Source: util-linux (2.38.1-5+b1)
Version: 1:2.38.1-5+b1

Package: removed
Status: deinstall ok config-files
Architecture: amd64
Version: 1.0-1

Package: broken
Status: install ok installed
Version: 1:5.#
`;

describe('dpkg analyzer', () => {
  it('lists installed packages with source, epoch, arch and purl', () => {
    const out = dpkgAnalyzer.analyze(input({ '/var/lib/dpkg/status': STATUS }, DEBIAN_12));
    expect(out.packages?.map((p) => [p.name, p.version, p.sourceName, p.sourceVersion, p.arch])).toEqual([
      ['libc6', '2.36-9+deb12u4', 'glibc', '2.36-9+deb12u4', 'amd64'],
      ['bsdutils', '1:2.38.1-5+b1', 'util-linux', '2.38.1-5+b1', 'amd64'],
    ]);
    const bsd = out.packages?.[1];
    expect(bsd?.purl).toBe('pkg:deb/debian/bsdutils@1:2.38.1-5%2Bb1?arch=amd64&distro=debian-12');
    expect(bsd?.ecosystem).toBe('Debian:12');
    expect(bsd?.path).toBe('/var/lib/dpkg/status');
    expect(out.warnings?.map((w) => w.code)).toEqual(['dpkg-bad-stanza']);
    expect(out.warnings?.[0]?.message).toContain('broken');
  });

  it('uses ubuntu in purl and ecosystem on Ubuntu', () => {
    const os = { family: 'ubuntu', name: 'Ubuntu', release: '22.04' };
    const out = dpkgAnalyzer.analyze(input({ '/var/lib/dpkg/status': STATUS }, os));
    expect(out.packages?.[0]?.purl).toBe('pkg:deb/ubuntu/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=ubuntu-22.04');
    expect(out.packages?.[0]?.ecosystem).toBe('Ubuntu:22.04');
  });

  it('reads file owners from info/*.list and status.d md5sums, stripping :arch', () => {
    const out = dpkgAnalyzer.analyze(
      input({
        '/var/lib/dpkg/info/libc6:amd64.list': '/.\n/usr\n/usr/lib/x86_64-linux-gnu/libc.so.6\n',
        '/var/lib/dpkg/info/python3-six.list': '/usr/lib/python3/dist-packages/six-1.16.0.egg-info\n',
        '/var/lib/dpkg/status.d/tzdata.md5sums': 'd41d8cd98f00b204e9800998ecf8427e  usr/share/zoneinfo/UTC\n',
      }),
    );
    expect(out.fileOwners).toEqual({
      '/.': 'libc6',
      '/usr': 'libc6',
      '/usr/lib/x86_64-linux-gnu/libc.so.6': 'libc6',
      '/usr/lib/python3/dist-packages/six-1.16.0.egg-info': 'python3-six',
      '/usr/share/zoneinfo/UTC': 'tzdata',
    });
  });

  it('adds DEP-5 licenses from the copyright file', () => {
    const copyright = `Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: glibc

Files: *
Copyright: 1991-2023 Free Software Foundation
License: LGPL-2.1+

Files: debian/*
License: GPL-2+ or Artistic

License: LGPL-2.1+
 full text here
`;
    expect(dep5Licenses(copyright)).toEqual(['LGPL-2.1+', 'GPL-2+', 'Artistic']);
    expect(dep5Licenses('This is free-form.\nLicense: whatever\n')).toEqual([]);
    const out = dpkgAnalyzer.analyze(
      input({ '/var/lib/dpkg/status': STATUS, '/usr/share/doc/libc6/copyright': copyright }, DEBIAN_12),
    );
    expect(out.packages?.[0]?.licenses).toEqual(['LGPL-2.1+', 'GPL-2+', 'Artistic']);
    expect(out.packages?.[1]?.licenses).toBeUndefined();
  });

  it('wants the status files, .list files and copyright files only', () => {
    const w = (path: string) => dpkgAnalyzer.wants({ path, size: 1, mode: 0o100644 });
    expect(w('/var/lib/dpkg/status')).toBe(true);
    expect(w('/var/lib/dpkg/status-old')).toBe(false);
    expect(w('/var/lib/dpkg/status.d/libssl3')).toBe(true);
    expect(w('/var/lib/dpkg/info/libc6:amd64.list')).toBe(true);
    expect(w('/var/lib/dpkg/info/libc6:amd64.postinst')).toBe(false);
    expect(w('/usr/share/doc/libc6/copyright')).toBe(true);
    expect(w('/usr/share/doc/libc6/changelog.gz')).toBe(false);
  });

  it('never throws on garbage', () => {
    const out = dpkgAnalyzer.analyze(input({ '/var/lib/dpkg/status': Buffer.from([0xff, 0xfe, 0, 1, 2, 10, 58]) }));
    expect(out.packages).toEqual([]);
  });

  it('checks versions like dpkg', () => {
    expect(debVersionProblem('1:2.3-4')).toBeUndefined();
    expect(debVersionProblem('2.3~rc1+dfsg-4ubuntu0.1')).toBeUndefined();
    expect(debVersionProblem('1:5.#')).toBeDefined();
    expect(debVersionProblem('a1.0')).toBeDefined();
    expect(debVersionProblem('x:1.0')).toBeDefined();
    expect(debVersionProblem('1.0-')).toBeDefined();
    expect(debVersionProblem('')).toBeDefined();
  });
});

describe.skipIf(!hasCorpus)('dpkg analyzer on peer fixtures', () => {
  const dir = (f: string) => corpusPath('peer-fixtures', 'dpkg', f);
  for (const name of ['trivy-valid', 'trivy-corrupsed', 'trivy-third-party', 'trivy-digest']) {
    it(`${name} gives exactly the upstream list`, () => {
      const out = dpkgAnalyzer.analyze(input({ '/var/lib/dpkg/status': readFileSync(dir(`${name}.status`)) }));
      const got = (out.packages ?? [])
        .map((p) => [p.name, p.version, p.sourceName, p.sourceVersion, p.arch].join('\t'))
        .sort();
      const want = parseTsv(readFileSync(dir(`${name}.expected.tsv`), 'utf8'))
        .map((r) => [r.name, r.version, r.src_name, r.src_version, r.arch].join('\t'))
        .sort();
      expect(got).toEqual(want);
      if (name === 'trivy-corrupsed') {
        expect(out.warnings?.map((w) => w.message).join('\n')).toMatch(/brokenPackageWithNoVersion[\s\S]*invalidpkg/);
      }
    });
  }

  it('syft distroless status.d entry without Status is a package', () => {
    const out = dpkgAnalyzer.analyze(
      input({ '/var/lib/dpkg/status.d/libsqlite3-0': readFileSync(dir('syft-distroless-status.d-libsqlite3-0')) }),
    );
    expect(out.packages?.map((p) => [p.name, p.version, p.sourceName, p.arch, p.path])).toEqual([
      ['libsqlite3-0', '3.34.1-3', 'sqlite3', 'arm64', '/var/lib/dpkg/status.d/libsqlite3-0'],
    ]);
  });

  it('syft status.d deinstall stanza is not a package', () => {
    const out = dpkgAnalyzer.analyze(input({ '/var/lib/dpkg/status.d/deinstall': readFileSync(dir('syft-status.d-deinstall')) }));
    expect(out.packages?.map((p) => [p.name, p.version])).toEqual([
      ['linux-image-6.14.0-1012-aws', '6.14.0-1012.12~24.04.1'],
    ]);
  });
});

describe('parseDebControl', () => {
  /** The straightforward definition (line by line, continuation appended as it comes). */
  function reference(text: string): Stanza[] {
    const out: Stanza[] = [];
    let cur: Stanza | undefined;
    let last: string | undefined;
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = (lines[i] ?? '').replace(/\r$/, '');
      if (line.trim() === '') {
        cur = undefined;
        last = undefined;
        continue;
      }
      if (line.startsWith('#')) continue;
      if (line.startsWith(' ') || line.startsWith('\t')) {
        if (cur && last !== undefined) cur.fields[last] += `\n${line.trim()}`;
        continue;
      }
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      if (!cur) {
        cur = { fields: {}, line: i + 1 };
        out.push(cur);
      }
      last = line.slice(0, colon).trim().toLowerCase();
      cur.fields[last] = line.slice(colon + 1).trim();
    }
    return out;
  }

  it('agrees with the line-by-line definition on any deb822-like text', () => {
    const piece = fc.constantFrom('Package: a', 'License: GPL-2+', 'license:x', ' cont', '\tmore', ' .', '#c', '', ' ', '\r', 'x', 'A : b', ':v', '\u00a0', 'Format: dep5');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), fc.constantFrom('\n', '\r\n'), (lines, eol) => {
        const text = lines.join(eol);
        expect(parseDebControl(text)).toEqual(reference(text));
      }),
      { numRuns: 2000 },
    );
  });
});
