import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ImportItem, VulnDb } from '../db/database.js';
import { makeZip } from '../../testing/zip.js';
import { FeedFormatError, importPath, prepareImport } from './index.js';
import { ZipError, ZipReader } from './zip.js';

const osv = (id: string, modified: string, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({
    id,
    modified,
    aliases: ['CVE-2024-0001'],
    summary: `summary of ${id}`,
    affected: [{ package: { ecosystem: 'npm', name: 'left-pad' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.3.0' }] }] }],
    ...extra,
  });

let dir: string;
let db: VulnDb;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'portcullis-importers-'));
  db = VulnDb.open(join(dir, 'db', 'vulndb.sqlite'));
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('OSV importer', () => {
  it('imports a directory tree, skipping bad records with counted warnings', () => {
    const feed = join(dir, 'feed');
    mkdirSync(join(feed, 'sub'), { recursive: true });
    writeFileSync(join(feed, 'GHSA-good.json'), osv('GHSA-good', '2024-01-01T00:00:00Z'));
    writeFileSync(join(feed, 'sub', 'broken.json'), '{"id": "X", ');
    writeFileSync(join(feed, 'unknown-eco.json'), osv('X-1', '2024-01-01T00:00:00Z', { affected: [{ package: { ecosystem: 'Nope', name: 'a' }, versions: ['1'] }] }));
    writeFileSync(
      join(feed, 'bad-range.json'),
      osv('X-2', '2024-01-01T00:00:00Z', {
        affected: [{ package: { ecosystem: 'npm', name: 'a' }, ranges: [{ type: 'SEMVER', events: [{ introduced: 'not.a.version' }] }] }],
      }),
    );
    writeFileSync(join(feed, 'no-id.json'), JSON.stringify({ modified: '2024-01-01T00:00:00Z' }));
    writeFileSync(join(feed, 'README.md'), 'not json, not imported');
    const stats = importPath(db, feed);
    expect(stats.format).toBe('osv-dir');
    expect(stats.warningsByCode).toEqual({ 'malformed-json': 1, 'unknown-ecosystem': 1, 'invalid-range': 1, 'invalid-record': 1 });
    expect(stats.inserted).toBe(3); // the good one, and X-1/X-2 (kept without their unusable package entries)
    const [c] = db.candidates('npm', 'left-pad');
    expect(c?.advisoryId).toBe('GHSA-good');
    expect(c?.aliases).toEqual(['CVE-2024-0001']);
    expect(db.candidates('npm', 'a')).toEqual([]);
  });

  it('is incremental: only records with a newer `modified` replace the stored ones', () => {
    const feed = join(dir, 'feed');
    mkdirSync(feed);
    writeFileSync(join(feed, 'a.json'), osv('GHSA-a', '2024-01-01T00:00:00Z'));
    expect(importPath(db, feed).inserted).toBe(1);
    // same modified, different content: not newer, skipped
    writeFileSync(join(feed, 'a.json'), osv('GHSA-a', '2024-01-01T00:00:00Z', { summary: 'changed' }));
    const second = importPath(db, feed);
    expect([second.inserted, second.updated, second.skipped]).toEqual([0, 0, 1]);
    expect(db.candidates('npm', 'left-pad')[0]?.summary).toBe('summary of GHSA-a');
    // older: skipped
    writeFileSync(join(feed, 'a.json'), osv('GHSA-a', '2023-01-01T00:00:00Z', { summary: 'older' }));
    expect(importPath(db, feed).skipped).toBe(1);
    // newer: replaces, including its affected entries
    writeFileSync(
      join(feed, 'a.json'),
      osv('GHSA-a', '2024-06-01T00:00:00Z', {
        summary: 'newer',
        affected: [{ package: { ecosystem: 'npm', name: 'right-pad' }, versions: ['1.0.0'] }],
      }),
    );
    expect(importPath(db, feed).updated).toBe(1);
    expect(db.candidates('npm', 'left-pad')).toEqual([]);
    expect(db.candidates('npm', 'right-pad')[0]?.summary).toBe('newer');
    expect(db.counts().advisories).toBe(1);
  });

  it('reads osv.dev zip archives (deflate and stored entries)', () => {
    const zip = join(dir, 'npm', 'all.zip');
    mkdirSync(join(dir, 'npm'));
    writeFileSync(
      zip,
      makeZip([
        { name: 'GHSA-z1.json', data: osv('GHSA-z1', '2024-01-01T00:00:00Z') },
        { name: 'GHSA-z2.json', data: osv('GHSA-z2', '2024-01-01T00:00:00Z'), store: true },
        { name: 'bad.json', data: '[not json' },
      ]),
    );
    const stats = importPath(db, zip);
    expect(stats.format).toBe('osv-zip');
    expect(stats.source).toBe('osv:npm');
    expect(stats.inserted).toBe(2);
    expect(stats.warningsByCode).toEqual({ 'malformed-json': 1 });
  });

  it('reads ZIP64 archives (the layout of archives with more than 65535 entries)', () => {
    const zip = join(dir, 'z64.zip');
    writeFileSync(zip, makeZip([{ name: 'GHSA-a.json', data: osv('GHSA-a', '2024-01-01T00:00:00Z') }, { name: 'b.txt', data: 'skip me' }], { zip64: true }));
    const r = new ZipReader(zip);
    expect(r.entries.map((e) => [e.name, e.size > 0])).toEqual([
      ['GHSA-a.json', true],
      ['b.txt', true],
    ]);
    expect(r.read(r.entries[1]!).toString()).toBe('skip me');
    r.close();
    expect(importPath(db, zip).inserted).toBe(1);
  });

  it('refuses corrupt zip files and entries', () => {
    const notZip = join(dir, 'x.zip');
    writeFileSync(notZip, 'hello');
    expect(() => new ZipReader(notZip)).toThrow(ZipError);
    const good = makeZip([{ name: 'a.json', data: 'x'.repeat(1000) }]);
    // flip a byte inside the deflate stream: the CRC (or inflate) must notice
    const bad = Buffer.from(good);
    const at = 30 + 'a.json'.length + 2;
    bad.writeUInt8(bad.readUInt8(at) ^ 0xff, at);
    const badPath = join(dir, 'bad.zip');
    writeFileSync(badPath, bad);
    const r = new ZipReader(badPath);
    expect(() => r.read(r.entries[0]!)).toThrow(ZipError);
    r.close();
    const big = join(dir, 'big.zip');
    writeFileSync(big, makeZip([{ name: 'a.json', data: 'x'.repeat(5000) }]));
    const small = new ZipReader(big, 1000);
    expect(() => small.read(small.entries[0]!)).toThrow(/limit/);
    small.close();
  });

  it('imports Debian/Alpine OSV exports as distribution ecosystems', () => {
    const feed = join(dir, 'debian-osv');
    mkdirSync(feed);
    writeFileSync(
      join(feed, 'DSA-1.json'),
      JSON.stringify({
        id: 'DSA-5000-1',
        modified: '2024-01-01T00:00:00Z',
        aliases: ['CVE-2024-1111'],
        affected: [{ package: { ecosystem: 'Debian:12', name: 'openssl' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '3.0.11-1~deb12u2' }] }] }],
      }),
    );
    importPath(db, feed);
    const [c] = db.candidates('Debian:12', 'openssl');
    expect(c?.affected.release).toBe('12');
    expect(c?.affected.ranges[0]?.events).toEqual([{ introduced: '0' }, { fixed: '3.0.11-1~deb12u2' }]);
  });
});

describe('Debian tracker importer', () => {
  const tracker = (extra: Record<string, unknown> = {}): string =>
    JSON.stringify({
      openssl: {
        'CVE-2024-0001': { description: 'bad', releases: { bookworm: { status: 'resolved', fixed_version: '3.0.11-1~deb12u2', urgency: 'medium' } } },
        'CVE-2024-0002': { description: 'never', releases: { bookworm: { status: 'resolved', fixed_version: '0', urgency: 'low' } } },
        'CVE-2024-0003': { releases: { bookworm: { status: 'open', urgency: 'unimportant', nodsa: 'Minor', nodsa_reason: 'ignored' } } },
        'CVE-2024-0004': { releases: { bookworm: { status: 'resolved', fixed_version: 'not a version!', urgency: 'low' } } },
      },
      ...extra,
    });

  it('maps statuses, urgencies and codenames; a full snapshot removes dropped CVEs', () => {
    const file = join(dir, 'tracker.json');
    writeFileSync(file, tracker({ curl: { 'CVE-2024-0005': { releases: { bookworm: { status: 'open', urgency: 'high' } } } } }));
    const first = importPath(db, file);
    expect(first.format).toBe('debian-tracker');
    expect(first.warningsByCode).toEqual({ 'invalid-range': 1 });
    const ossl = db.candidates('Debian:12', 'openssl').sort((a, b) => a.advisoryId.localeCompare(b.advisoryId));
    expect(ossl.map((c) => [c.advisoryId, c.affected.status, c.affected.fixedVersion, c.affected.severity])).toEqual([
      ['CVE-2024-0001', 'fixed', '3.0.11-1~deb12u2', 'MEDIUM'],
      ['CVE-2024-0003', 'will_not_fix', undefined, 'NEGLIGIBLE'],
    ]);
    expect(db.candidates('Debian:12', 'curl')).toHaveLength(1);
    writeFileSync(file, tracker());
    const second = importPath(db, file);
    expect(second.removed).toBe(1);
    expect(db.candidates('Debian:12', 'curl')).toEqual([]);
  });
});

describe('Alpine secdb importer', () => {
  it('imports secfixes per branch/repo, skipping "0" entries', () => {
    const file = join(dir, 'main.json');
    writeFileSync(
      file,
      JSON.stringify({
        apkurl: '{{urlprefix}}/{{distroversion}}/{{reponame}}/{{arch}}/{{pkg.name}}-{{pkg.ver}}.apk',
        archs: ['x86_64'],
        reponame: 'main',
        urlprefix: 'https://dl-cdn.alpinelinux.org/alpine',
        distroversion: 'v3.19',
        packages: [
          { pkg: { name: 'openssl', secfixes: { '3.1.4-r1': ['CVE-2023-5678'], '3.1.4-r3': ['CVE-2023-6129 XSA-1'], '0': ['CVE-2022-0001'] } } },
          { pkg: { name: 'broken' } },
          { pkg: { name: 'busybox', secfixes: { 'bad version': ['CVE-2023-1'] } } },
        ],
      }),
    );
    const stats = importPath(db, file);
    expect(stats.format).toBe('alpine-secdb');
    expect(stats.source).toBe('alpine-secdb:v3.19/main');
    expect(stats.inserted).toBe(2);
    expect(stats.warnings).toBe(2);
    const c = db.candidates('Alpine:v3.19', 'openssl').sort((a, b) => a.advisoryId.localeCompare(b.advisoryId));
    expect(c.map((x) => [x.advisoryId, x.aliases, x.affected.fixedVersion])).toEqual([
      ['CVE-2023-5678', [], '3.1.4-r1'],
      ['CVE-2023-6129', ['XSA-1'], '3.1.4-r3'],
    ]);
  });
});

describe('NVD importer', () => {
  it('stores CVSS enrichment from CVE API 2.0 responses, incrementally', () => {
    const doc = (lastModified: string, vector: string): string =>
      JSON.stringify({
        resultsPerPage: 1,
        startIndex: 0,
        totalResults: 1,
        format: 'NVD_CVE',
        version: '2.0',
        timestamp: '2024-05-01T00:00:00.000',
        vulnerabilities: [
          {
            cve: {
              id: 'CVE-2021-44228',
              published: '2021-12-10T10:15:09.143',
              lastModified,
              descriptions: [{ lang: 'en', value: 'Log4Shell' }],
              metrics: {
                cvssMetricV31: [{ source: 'nvd@nist.gov', type: 'Primary', cvssData: { version: '3.1', vectorString: vector, baseScore: 10.0, baseSeverity: 'CRITICAL' } }],
                cvssMetricV2: [{ source: 'nvd@nist.gov', type: 'Primary', cvssData: { version: '2.0', vectorString: 'AV:N/AC:M/Au:N/C:C/I:C/A:C', baseScore: 9.3 } }],
              },
            },
          },
          { nope: true },
        ],
      });
    const file = join(dir, 'nvd.json');
    writeFileSync(file, doc('2024-04-03T00:00:00.000', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H'));
    const stats = importPath(db, file);
    expect(stats.format).toBe('nvd');
    expect(stats.warnings).toBe(1);
    expect(db.enrichment(['CVE-2021-44228'])).toEqual([
      { version: '3.1', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H', score: 10, source: 'nvd@nist.gov' },
      { version: '2.0', vector: 'AV:N/AC:M/Au:N/C:C/I:C/A:C', score: 9.3, source: 'nvd@nist.gov' },
    ]);
    writeFileSync(file, doc('2024-01-01T00:00:00.000', 'CVSS:3.1/AV:L/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'));
    expect(importPath(db, file).skipped).toBe(1);
    expect(db.sources().find((s) => s.name === 'nvd')?.dataUpdatedAt).toBe('2024-05-01T00:00:00.000');
  });
});

describe('format detection and safety', () => {
  it('refuses unknown documents with a clear error', () => {
    const file = join(dir, 'x.json');
    writeFileSync(file, JSON.stringify({ hello: 'world' }));
    expect(() => prepareImport(file)).toThrow(FeedFormatError);
    writeFileSync(file, '{');
    expect(() => prepareImport(file)).toThrow(/not JSON/);
  });

  it('a failure part-way through an import rolls everything back', () => {
    const before = db.counts();
    function* items(): Generator<ImportItem> {
      yield { type: 'advisory', record: { namespace: 'osv', id: 'A', aliases: [], cvss: [], references: [], affected: [] } };
      throw new Error('disk on fire');
    }
    expect(() => db.importFrom({ name: 't', kind: 'osv', origin: 'x' }, items())).toThrow('disk on fire');
    expect(db.counts()).toEqual(before);
    expect(db.sources()).toEqual([]);
  });
});
