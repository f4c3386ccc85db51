import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import semver from 'semver';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ImageInventory, Package } from '../../analysis/types.js';
import { VulnDb } from '../db/database.js';
import type { AdvisoryRecord } from '../types.js';
import { SCHEMES } from '../versions/index.js';
import { rangeAffects } from './evaluate.js';
import { matchInventory } from './match.js';

let dir: string;
let db: VulnDb;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'portcullis-match-'));
  db = VulnDb.open(join(dir, 'vulndb.sqlite'));
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const adv = (r: Partial<AdvisoryRecord> & Pick<AdvisoryRecord, 'id' | 'affected'>): AdvisoryRecord => ({
  namespace: 'osv',
  aliases: [],
  cvss: [],
  references: [],
  ...r,
});
const load = (...records: AdvisoryRecord[]): void => {
  db.importFrom({ name: 'test', kind: 'osv', origin: 'test' }, records.map((record) => ({ type: 'advisory' as const, record })));
};
const pkg = (p: Partial<Package> & Pick<Package, 'name' | 'version'>): Package => ({
  type: 'npm',
  ecosystem: 'npm',
  path: `/app/node_modules/${p.name}/package.json`,
  purl: `pkg:npm/${p.name}@${p.version}`,
  ...p,
});
const inv = (...packages: Package[]): ImageInventory => ({ packages, layers: [], warnings: [] });

describe('range evaluation', () => {
  const npm = SCHEMES.npm!;
  it('follows introduced / fixed / last_affected events in version order', () => {
    const range = { type: 'SEMVER', events: [{ introduced: '1.0.0' }, { fixed: '1.2.3' }, { introduced: '2.0.0' }, { last_affected: '2.1.0' }] };
    expect(rangeAffects(npm, '0.9.0', range).hit).toBe(false);
    expect(rangeAffects(npm, '1.0.0', range)).toEqual({ hit: true, fixed: '1.2.3' });
    expect(rangeAffects(npm, '1.2.3', range).hit).toBe(false);
    expect(rangeAffects(npm, '2.1.0', range)).toEqual({ hit: true });
    expect(rangeAffects(npm, '2.1.1', range).hit).toBe(false);
  });
});

describe('range evaluation agrees with node-semver', () => {
  it('introduced/fixed and introduced/last_affected ranges equal ">=a <b" and ">=a <=b"', () => {
    const v = fc.tuple(fc.nat(4), fc.nat(4), fc.nat(4)).map(([a, b, c]) => `${a}.${b}.${c}`);
    fc.assert(
      fc.property(v, v, v, fc.boolean(), (x, lo, hi, last) => {
        fc.pre(semver.lt(lo, hi));
        const range = { type: 'SEMVER', events: [{ introduced: lo }, last ? { last_affected: hi } : { fixed: hi }] };
        const expected = semver.satisfies(x, last ? `>=${lo} <=${hi}` : `>=${lo} <${hi}`);
        expect(rangeAffects(SCHEMES.npm!, x, range).hit).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });
});

describe('matchInventory', () => {
  it('merges aliases (GHSA + PYSEC + CVE = one finding) and keeps two paths as two findings', () => {
    const range = [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.0' }] }];
    load(
      adv({ id: 'PYSEC-1', aliases: ['CVE-1'], affected: [{ ecosystem: 'PyPI', name: 'Foo_Bar', ranges: range, versions: [] }] }),
      adv({
        id: 'GHSA-1',
        aliases: ['CVE-1'],
        severity: 'HIGH',
        cvss: [{ version: '3.1', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', score: 9.8, source: 'osv' }],
        affected: [{ ecosystem: 'PyPI', name: 'foo-bar', ranges: range, versions: [] }],
      }),
    );
    const a = pkg({ type: 'python', ecosystem: 'PyPI', name: 'foo.bar', version: '1.5', path: '/a/METADATA' });
    const b = { ...a, path: '/b/METADATA' };
    const findings = matchInventory(db, inv(a, b));
    expect(findings.map((f) => [f.package.path, f.advisoryId, f.aliases, f.fixedVersion, f.severity])).toEqual([
      ['/a/METADATA', 'GHSA-1', ['CVE-1', 'PYSEC-1'], '2.0', 'CRITICAL'],
      ['/b/METADATA', 'GHSA-1', ['CVE-1', 'PYSEC-1'], '2.0', 'CRITICAL'],
    ]);
  });

  it('matches explicit versions, skips withdrawn advisories and unrelated versions', () => {
    load(
      adv({ id: 'GHSA-v', affected: [{ ecosystem: 'npm', name: 'x', ranges: [], versions: ['1.0.0'] }] }),
      adv({ id: 'GHSA-w', withdrawn: '2024-01-01T00:00:00Z', affected: [{ ecosystem: 'npm', name: 'x', ranges: [], versions: ['1.0.0'] }] }),
    );
    expect(matchInventory(db, inv(pkg({ name: 'x', version: '1.0.0' }))).map((f) => [f.advisoryId, f.status])).toEqual([['GHSA-v', 'affected']]);
    expect(matchInventory(db, inv(pkg({ name: 'x', version: '1.0.1' })))).toEqual([]);
  });

  it('matches Go modules with v-prefixed and +incompatible versions against v-less feed versions', () => {
    load(adv({ id: 'GO-1', affected: [{ ecosystem: 'Go', name: 'github.com/a/b', ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '2.1.0' }] }], versions: [] }] }));
    const go = (version: string): Package => pkg({ type: 'go', ecosystem: 'Go', name: 'github.com/a/b', version, path: '/bin/app' });
    expect(matchInventory(db, inv(go('v2.0.0+incompatible')))).toHaveLength(1);
    expect(matchInventory(db, inv(go('v2.1.0')))).toHaveLength(0);
  });

  it('matches OS packages by source name and source version, with the distribution verdicts', () => {
    load(
      adv({
        namespace: 'debian',
        id: 'CVE-9',
        affected: [{ ecosystem: 'Debian:12', name: 'openssl', ranges: [], versions: [], release: '12', status: 'fixed', fixedVersion: '3.0.11-1~deb12u2', severity: 'LOW' }],
        cvss: [{ version: '3.1', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', score: 9.8, source: 'nvd' }],
      }),
      adv({ namespace: 'debian', id: 'CVE-10', affected: [{ ecosystem: 'Debian:12', name: 'openssl', ranges: [], versions: [], status: 'will_not_fix' }] }),
    );
    const libssl = pkg({ type: 'dpkg', ecosystem: 'Debian:12', name: 'libssl3', version: '3.0.11-1~deb12u1', sourceName: 'openssl', sourceVersion: '3.0.11-1~deb12u1', path: '/var/lib/dpkg/status' });
    const f = matchInventory(db, inv(libssl));
    // the distribution's rating wins over CVSS
    expect(f.map((x) => [x.advisoryId, x.status, x.fixedVersion, x.severity])).toEqual([
      ['CVE-10', 'will_not_fix', undefined, 'UNKNOWN'],
      ['CVE-9', 'fixed', '3.0.11-1~deb12u2', 'LOW'],
    ]);
    const patched = { ...libssl, version: '3.0.11-1~deb12u2', sourceVersion: '3.0.11-1~deb12u2' };
    expect(matchInventory(db, inv(patched)).map((x) => x.advisoryId)).toEqual(['CVE-10']);
    // another release of the distribution does not match
    expect(matchInventory(db, inv({ ...libssl, ecosystem: 'Debian:11' }))).toEqual([]);
  });

  it('skips language packages owned by the OS package manager unless asked', () => {
    load(adv({ id: 'GHSA-o', affected: [{ ecosystem: 'npm', name: 'acorn', ranges: [], versions: ['8.8.1'] }] }));
    const owned = pkg({ name: 'acorn', version: '8.8.1', ownedBy: 'node-acorn' });
    expect(matchInventory(db, inv(owned))).toEqual([]);
    expect(matchInventory(db, inv(owned), { includeOsOwned: true })).toHaveLength(1);
  });

  it('reports unorderable installed versions as warnings, not findings or crashes', () => {
    load(adv({ id: 'GHSA-r', affected: [{ ecosystem: 'npm', name: 'y', ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.0.0' }] }], versions: [] }] }));
    const warnings: string[] = [];
    expect(matchInventory(db, inv(pkg({ name: 'y', version: 'banana' })), { onWarning: (c) => warnings.push(c) })).toEqual([]);
    expect(warnings).toEqual(['version-compare']);
  });
});
