import { describe, expect, it } from 'vitest';
import { input } from '../testing/input.js';
import { BASH, KEY, OPENSSL, ROCKY, bdbFile, ndbFile, sqliteFile } from '../testing/rpm-fixtures.js';
import { TAG, parseHeaderBlob, splitSourceRpm } from './header.js';
import { rpmAnalyzer } from './index.js';

const names = (files: Record<string, Buffer>) =>
  rpmAnalyzer.analyze(input(files, ROCKY)).packages?.map((p) => [p.name, p.version, p.sourceName, p.sourceVersion, p.arch]);
const WANT = [
  ['bash', '5.1.8-9.el9', 'bash', '5.1.8-9.el9', 'x86_64'],
  ['openssl-libs', '1:3.0.7-24.el9', 'openssl', '1:3.0.7-24.el9', 'x86_64'],
];

describe('rpm analyzer', () => {
  it('parses header blobs', () => {
    const h = parseHeaderBlob(BASH);
    expect(h.get(TAG.NAME)).toBe('bash');
    expect(h.get(TAG.DIRINDEXES)).toEqual([0, 1]);
    expect(splitSourceRpm('glibc-2.28-225.el8.src.rpm')).toEqual({ name: 'glibc', version: '2.28', release: '225.el8' });
    expect(() => parseHeaderBlob(BASH.subarray(0, 40))).toThrow(/truncated/);
  });

  it('reads rpmdb.sqlite (also when marked WAL)', () => {
    expect(names({ '/var/lib/rpm/rpmdb.sqlite': sqliteFile([BASH, KEY, OPENSSL]) })).toEqual(WANT);
    expect(names({ '/usr/lib/sysimage/rpm/rpmdb.sqlite': sqliteFile([BASH, OPENSSL], true) })).toEqual(WANT);
  });

  it('reads Berkeley DB hash Packages with overflow chains', () => {
    expect(names({ '/var/lib/rpm/Packages': bdbFile([BASH, KEY, OPENSSL]) })).toEqual(WANT);
  });

  it('reads NDB Packages.db', () => {
    expect(names({ '/usr/lib/sysimage/rpm/Packages.db': ndbFile([BASH, OPENSSL]) })).toEqual(WANT);
  });

  it('fills purl, ecosystem, license and file owners', () => {
    const out = rpmAnalyzer.analyze(input({ '/var/lib/rpm/rpmdb.sqlite': sqliteFile([BASH, OPENSSL]) }, ROCKY));
    expect(out.packages?.[0]).toMatchObject({
      ecosystem: 'Rocky Linux:9',
      purl: 'pkg:rpm/rocky/bash@5.1.8-9.el9?arch=x86_64&distro=rocky-9',
      licenses: ['GPLv3+'],
      path: '/var/lib/rpm/rpmdb.sqlite',
    });
    expect(out.packages?.[1]?.purl).toBe('pkg:rpm/rocky/openssl-libs@3.0.7-24.el9?arch=x86_64&distro=rocky-9&epoch=1');
    expect(out.fileOwners).toEqual({ '/usr/bin/bash': 'bash', '/usr/share/man/man1/bash.1.gz': 'bash' });
  });

  it('corrupt databases and headers are warnings', () => {
    const bad = Buffer.from(BASH);
    bad.writeUInt32BE(0xffffff, 0);
    const out = rpmAnalyzer.analyze(
      input({
        '/var/lib/rpm/Packages': Buffer.alloc(4096, 7),
        '/var/lib/rpm/rpmdb.sqlite': sqliteFile([bad, OPENSSL]),
        '/usr/lib/sysimage/rpm/Packages.db': ndbFile([BASH]).subarray(0, 4200),
      }),
    );
    expect(out.packages?.map((p) => p.name)).toEqual(['openssl-libs']);
    expect(out.warnings?.map((w) => w.code).sort()).toEqual(['rpm-bad-entry', 'rpm-bad-header', 'rpm-corrupt']);
  });

  it('wants the database files only', () => {
    const w = (path: string) => rpmAnalyzer.wants({ path, size: 1, mode: 0 });
    expect(w('/var/lib/rpm/Packages')).toBe(true);
    expect(w('/usr/lib/sysimage/rpm/rpmdb.sqlite')).toBe(true);
    expect(w('/var/lib/rpm/Name')).toBe(false);
    expect(w('/home/x/Packages')).toBe(false);
  });
});
