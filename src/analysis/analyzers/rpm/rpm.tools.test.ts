import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { input } from '../testing/input.js';
import { rpmAnalyzer } from './index.js';

/**
 * Databases written by the real tools (Debian packages `rpm` and `db5.3-util`), skipped where
 * they are not installed: rpm 4.18 writes rpmdb.sqlite; Berkeley DB's db_load writes a real hash
 * database holding the same header blob, as rpm < 4.16 stored them in /var/lib/rpm/Packages.
 */
const has = (cmd: string) => {
  try {
    execFileSync('which', [cmd], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};
const hasRpm = has('rpmbuild') && has('rpm');
const hasDbLoad = has('db5.3_load');

const SPEC = `Name: hello-portcullis
Version: 1.2.3
Release: 4.el9
Epoch: 2
Summary: test
License: MIT and BSD
Vendor: Portcullis Test
BuildArch: noarch
%description
test
%install
mkdir -p %{buildroot}/usr/share/hello
echo hi > %{buildroot}/usr/share/hello/hi.txt
%files
/usr/share/hello/hi.txt
`;

describe.skipIf(!hasRpm)('rpm analyzer on databases written by rpm', () => {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-rpm-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let sqlite: Buffer;

  it('reads rpmdb.sqlite written by rpm 4.18 (WAL mode)', { timeout: 60_000 }, () => {
    writeFileSync(join(dir, 'hello.spec'), SPEC);
    const rpmOpts = ['--define', `_topdir ${join(dir, 'top')}`];
    execFileSync('rpmbuild', [...rpmOpts, '-bb', join(dir, 'hello.spec')], { stdio: 'ignore' });
    const db = join(dir, 'db');
    execFileSync('rpm', ['--dbpath', db, '--initdb'], { stdio: 'ignore' });
    const pkg = join(dir, 'top/RPMS/noarch/hello-portcullis-1.2.3-4.el9.noarch.rpm');
    execFileSync('rpm', ['--dbpath', db, '-i', '--justdb', '--nodeps', '--ignorearch', pkg], { stdio: 'ignore' });
    sqlite = readFileSync(join(db, 'rpmdb.sqlite'));
    expect(sqlite[18]).toBe(2); // rpm leaves it in WAL mode
    const out = rpmAnalyzer.analyze(input({ '/var/lib/rpm/rpmdb.sqlite': sqlite }));
    expect(out.warnings).toBeUndefined();
    expect(out.packages).toEqual([
      {
        type: 'rpm',
        ecosystem: 'RPM',
        name: 'hello-portcullis',
        version: '2:1.2.3-4.el9',
        purl: 'pkg:rpm/portcullis/hello-portcullis@1.2.3-4.el9?arch=noarch&epoch=2',
        path: '/var/lib/rpm/rpmdb.sqlite',
        arch: 'noarch',
        licenses: ['MIT and BSD'],
        sourceName: 'hello-portcullis',
        sourceVersion: '2:1.2.3-4.el9',
      },
    ]);
    expect(out.fileOwners).toEqual({ '/usr/share/hello/hi.txt': 'hello-portcullis' });
  });

  it.skipIf(!hasDbLoad)('reads a Berkeley DB hash Packages written by db_load', () => {
    expect(sqlite).toBeDefined();
    const copy = Buffer.from(sqlite);
    copy[18] = copy[19] = 1;
    const db = new Database(copy, { readonly: true });
    const blobs = (db.prepare('SELECT blob FROM Packages').all() as { blob: Buffer }[]).map((r) => r.blob);
    db.close();
    expect(blobs).toHaveLength(1);
    const key = Buffer.alloc(4);
    key.writeUInt32LE(1);
    // db_load's "bytevalue" dump format; 512-byte pages force the header onto overflow pages.
    const dump = `VERSION=3\nformat=bytevalue\ntype=hash\ndb_pagesize=512\nHEADER=END\n ${key.toString('hex')}\n ${blobs[0]!.toString('hex')}\nDATA=END\n`;
    const file = join(dir, 'Packages');
    execFileSync('db5.3_load', [file], { input: dump });
    const out = rpmAnalyzer.analyze(input({ '/var/lib/rpm/Packages': readFileSync(file) }));
    expect(out.warnings).toBeUndefined();
    expect(out.packages?.map((p) => [p.name, p.version, p.path])).toEqual([
      ['hello-portcullis', '2:1.2.3-4.el9', '/var/lib/rpm/Packages'],
    ]);
  });
});
