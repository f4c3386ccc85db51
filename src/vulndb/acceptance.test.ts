import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImageInventory, Package, PackageType } from '../analysis/types.js';
import { CORPUS_TAGS, corpusPath, hasCorpus, parseTsv } from '../testing/corpus.js';
import { VulnDb } from './db/database.js';
import { importPath } from './importers/index.js';
import { matchInventory } from './match/index.js';
import type { VulnFinding } from './types.js';

const TYPE_ECOSYSTEM: Record<string, [PackageType, string]> = {
  dpkg: ['dpkg', 'Debian:12'],
  npm: ['npm', 'npm'],
  python: ['python', 'PyPI'],
};

/** The ground-truth package list of a corpus image (all are Debian 12) as an ImageInventory. */
function inventoryOf(image: string): ImageInventory {
  const rows = parseTsv(readFileSync(corpusPath('expected', `${image}.packages.tsv`), 'utf8'));
  const packages: Package[] = rows.map((r) => {
    const [type, ecosystem] = TYPE_ECOSYSTEM[r.type!]!;
    const p: Package = { type, ecosystem, name: r.name!, version: r.version!, path: r.path!, purl: `pkg:${type}/${r.name}@${r.version}` };
    if (r.source_name) p.sourceName = r.source_name;
    if (r.source_version) p.sourceVersion = r.source_version;
    if (r.arch) p.arch = r.arch;
    if (r.owned_by_dpkg) p.ownedBy = r.owned_by_dpkg;
    return p;
  });
  return { os: { family: 'debian', name: 'Debian GNU/Linux', release: '12', codename: 'bookworm' }, packages, layers: [], warnings: [] };
}

const expected = (name: string): Record<string, string>[] => parseTsv(readFileSync(corpusPath('expected', name), 'utf8'));
const sorted = (xs: string[]): string[] => [...xs].sort();

describe.skipIf(!hasCorpus)('vulnerability matching against the corpus', () => {
  let dir: string;
  let db: VulnDb;
  const stats: Record<string, ReturnType<typeof importPath>> = {};

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'portcullis-vulndb-'));
    db = VulnDb.open(join(dir, 'vulndb.sqlite'));
    for (const p of ['osv/Go', 'osv/PyPI', 'osv/npm', 'debian/bookworm-subset.json']) stats[p] = importPath(db, corpusPath('vulndata', p));
  }, 120_000);
  afterAll(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('imports the real feed files with the formats detected', () => {
    expect(stats['osv/Go']!.format).toBe('osv-dir');
    expect(stats['osv/Go']!.records).toBe(4291);
    expect(stats['osv/PyPI']!.records).toBe(2661);
    expect(stats['osv/npm']!.inserted).toBe(9);
    expect(stats['debian/bookworm-subset.json']!.format).toBe('debian-tracker');
    // 237 (source, CVE) entries; one CVE is named by two source packages, so 236 advisories
    const tracker = JSON.parse(readFileSync(corpusPath('vulndata/debian/bookworm-subset.json'), 'utf8')) as Record<string, object>;
    const cves = new Set(Object.values(tracker).flatMap((c) => Object.keys(c)));
    expect(stats['debian/bookworm-subset.json']!.records).toBe(cves.size);
    expect(Object.values(tracker).reduce((n, c) => n + Object.keys(c).length, 0)).toBe(237);
    const debAffected = db.db.prepare(`SELECT count(*) AS n FROM affected WHERE ecosystem = 'debian:12'`).get() as { n: number };
    expect(debAffected.n).toBe(237);
    // the corpus is clean real data: no malformed JSON or unknown ecosystems
    for (const s of Object.values(stats)) {
      expect(s.warningsByCode['malformed-json'] ?? 0).toBe(0);
      expect(s.warningsByCode['invalid-record'] ?? 0).toBe(0);
    }
    expect(db.sources().map((s) => s.name)).toEqual(['debian-tracker', 'osv:Go', 'osv:PyPI', 'osv:npm']);
  });

  it('keeps what the real records say (ranges, withdrawn markers, explicit versions, CVSS)', () => {
    const withdrawn = db.db.prepare(`SELECT count(*) AS n FROM advisories WHERE withdrawn IS NOT NULL`).get() as { n: number };
    expect(withdrawn.n).toBe(17 + 10);
    const gin = db.candidates('Go', 'github.com/gin-gonic/gin').find((c) => c.advisoryId === 'GO-2020-0001');
    expect(gin?.affected.ranges).toEqual([{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.6.0' }] }]);
    // a Go module matches with the v-prefixed version a binary reports
    const inv: ImageInventory = {
      packages: [{ type: 'go', ecosystem: 'Go', name: 'github.com/gin-gonic/gin', version: 'v1.5.0', path: '/usr/bin/app', purl: 'pkg:golang/github.com/gin-gonic/gin@v1.5.0' }],
      layers: [],
      warnings: [],
    };
    expect(matchInventory(db, inv).map((f) => f.advisoryId)).toContain('GO-2020-0001');
    const requests = db.candidates('PyPI', 'Requests').find((c) => c.advisoryId === 'PYSEC-2023-74');
    expect(requests?.affected.versions).toContain('2.28.1');
    expect(requests?.aliases).toEqual(['CVE-2023-32681', 'GHSA-j8r2-6x86-q33q']);
    const lodash = db.candidates('npm', 'lodash').find((c) => c.advisoryId === 'GHSA-35jh-r3h4-6jhm');
    expect(lodash?.cvss.map((c) => [c.version, c.score !== undefined])).toContainEqual(['3.1', true]);
    expect(lodash?.advisorySeverity).toBe('HIGH');
  });

  it('re-importing is idempotent: everything is skipped, nothing changes', () => {
    const before = db.counts();
    const again = importPath(db, corpusPath('vulndata', 'osv/npm'));
    expect(again.skipped).toBe(9);
    expect(again.inserted + again.updated).toBe(0);
    const deb = importPath(db, corpusPath('vulndata', 'debian/bookworm-subset.json'));
    expect(deb.skipped).toBe(deb.records);
    expect(deb.records).toBe(236);
    expect(deb.removed).toBe(0);
    expect(db.counts()).toEqual(before);
  });

  it('debian-old: exactly the expected OS findings, none of the negative controls', () => {
    const findings = matchInventory(db, inventoryOf('debian-old')).filter((f) => f.package.type === 'dpkg');
    const got = sorted(
      findings.map((f) => [f.package.name, f.package.version, f.package.sourceName, f.advisoryId, f.fixedVersion, f.package.sourceVersion].join('\t')),
    );
    const want = sorted(
      expected('debian-old.vulns.tsv').map((r) =>
        [r.binary, r.installed_version, r.source, r.cve, r.fixed_version, r.installed_source_version].join('\t'),
      ),
    );
    expect(got.length).toBe(128);
    expect(got).toEqual(want);
    const negatives = new Set(expected('debian-old.negative-controls.tsv').map((r) => `${r.binary}\t${r.cve}`));
    expect(negatives.size).toBeGreaterThan(300);
    expect(findings.filter((f) => negatives.has(`${f.package.name}\t${f.advisoryId}`))).toEqual([]);
    for (const f of findings) {
      expect(f.status).toBe('fixed');
      expect(f.dataSource.id).toBe('debian-tracker');
    }
  });

  it('debian-old: Debian-owned python packages are skipped by default and matched on request', () => {
    const inv = inventoryOf('debian-old');
    expect(matchInventory(db, inv).filter((f) => f.package.type === 'python')).toEqual([]);
    const py = matchInventory(db, inv, { includeOsOwned: true }).filter((f) => f.package.type === 'python');
    const got = sorted(py.map((f) => [f.package.name, f.package.version, f.package.path, f.advisoryId, f.fixedVersion, f.aliases.join(',')].join('\t')));
    const want = sorted(
      expected('debian-old.python-vulns.tsv').map((r) => [r.package, r.version, r.path, r.advisory, r.fixed_version, r.aliases].join('\t')),
    );
    expect(got).toEqual(want);
  });

  it('node-app: exactly the expected npm findings (same package@version at two paths = two findings)', () => {
    const findings = matchInventory(db, inventoryOf('node-app'));
    const npm = findings.filter((f: VulnFinding) => f.package.type === 'npm');
    const got = sorted(npm.map((f) => [f.package.name, f.package.version, f.package.path, f.advisoryId, f.fixedVersion, f.aliases.join(',')].join('\t')));
    const want = sorted(
      expected('node-app.vulns.tsv').map((r) => [r.package, r.version, r.path, r.advisory, r.fixed_version, r.aliases].join('\t')),
    );
    expect(got).toEqual(want);
    const negatives = expected('node-app.negative-controls.tsv');
    expect(negatives.length).toBeGreaterThan(0);
    const negIds = new Set(negatives.map((r) => Object.values(r).find((v) => v.startsWith('GHSA-'))));
    expect(npm.filter((f) => negIds.has(f.advisoryId))).toEqual([]);
    expect(findings.filter((f) => f.package.type === 'dpkg')).toEqual([]);
    // GHSA severities come from their CVSS vectors
    expect(npm.every((f) => f.severity !== 'UNKNOWN' && f.cvss.length > 0)).toBe(true);
  });

  it('the other images have no OS findings', () => {
    for (const tag of CORPUS_TAGS.filter((t) => t !== 'debian-old')) {
      const findings = matchInventory(db, inventoryOf(tag)).filter((f) => f.package.type === 'dpkg');
      expect(findings, tag).toEqual([]);
    }
  });
});
