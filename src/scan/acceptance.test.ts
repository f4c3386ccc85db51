import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openImageSource } from '../image/sources/index.js';
import { CORPUS_IMAGES, corpusPath, hasCorpus, parseTsv } from '../testing/corpus.js';
import { VulnDb } from '../vulndb/db/database.js';
import { importPath } from '../vulndb/importers/index.js';
import { scanImage } from './image.js';
import { scanReportValidator } from './testing.js';
import type { ScanReport } from './types.js';

const expected = (name: string): Record<string, string>[] => parseTsv(readFileSync(corpusPath('expected', name), 'utf8'));

/** Secret kinds of the ground truth → rule ids of the built-in rules. */
const RULE_FOR_KIND: Record<string, string[]> = {
  'npm-token': ['npm-access-token'],
  'npmrc-auth-token': ['npm-access-token'],
  password: ['generic-password'],
  'private-key': ['private-key'],
  'aws-access-key-id': ['aws-access-key-id'],
  'aws-secret-access-key': ['aws-secret-access-key'],
};

describe.skipIf(!hasCorpus)('scanImage on the shared images', () => {
  let cacheDir: string;
  const reports: Record<string, ScanReport> = {};
  const validate = scanReportValidator();
  const scan = async (tag: string): Promise<ScanReport> => {
    const source = await openImageSource(`oci:${CORPUS_IMAGES}:${tag}`);
    try {
      return await scanImage(source, { cacheDir, now: new Date('2026-11-01T00:00:00Z') });
    } finally {
      await source.close();
    }
  };

  beforeAll(async () => {
    cacheDir = mkdtempSync(join(tmpdir(), 'portcullis-scan-'));
    const db = VulnDb.open(join(cacheDir, 'vulndb.sqlite'));
    for (const p of ['osv/PyPI', 'osv/npm', 'debian/bookworm-subset.json']) importPath(db, corpusPath('vulndata', p));
    db.close();
    for (const tag of ['node-app', 'debian-old', 'debian-risky']) reports[tag] = await scan(tag);
  }, 180_000);
  afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

  it('reports exactly the npm advisories of node-app.vulns.tsv', () => {
    const got = reports['node-app']!.vulnerabilities.map((v) => [v.package.name, v.package.version, v.package.path, v.advisoryId, v.fixedVersion ?? ''].join('\t')).sort();
    const want = expected('node-app.vulns.tsv').map((r) => [r.package, r.version, r.path, r.advisory, r.fixed_version].join('\t')).sort();
    expect(got).toEqual(want);
  });

  it('reports exactly the Debian advisories of debian-old.vulns.tsv and none of the negative controls', () => {
    const r = reports['debian-old']!;
    const got = r.vulnerabilities.map((v) => [v.package.name, v.package.version, v.package.sourceName ?? v.package.name, v.advisoryId, v.fixedVersion ?? ''].join('\t')).sort();
    const want = expected('debian-old.vulns.tsv').map((x) => [x.binary, x.installed_version, x.source, x.cve, x.fixed_version].join('\t')).sort();
    expect(got).toHaveLength(128);
    expect(got).toEqual(want);
    const negative = new Set(expected('debian-old.negative-controls.tsv').map((x) => `${x.binary}\t${x.cve}`));
    expect(r.vulnerabilities.filter((v) => negative.has(`${v.package.name}\t${v.advisoryId}`))).toEqual([]);
    expect(r.totals.findings).toBe(r.vulnerabilities.length + r.secrets.length + r.misconfigurations.length);
  });

  it.each(['node-app', 'debian-risky', 'debian-old'])('finds the secrets of %s.secrets.tsv with their layers', (tag) => {
    const r = reports[tag]!;
    const want = expected(`${tag}.secrets.tsv`);
    const key = (kind: string, loc: string, layer: string, final: string): string => [kind, loc, layer, final].join('\t');
    const got = r.secrets.map((s) =>
      key(s.location.kind, s.location.path ?? '', s.location.layerIndex === undefined ? '-' : String(s.location.layerIndex), s.location.kind === 'layer-file' ? (s.location.inFinalFs ? 'yes' : 'no') : '-'),
    );
    expect([...new Set(got)].sort()).toEqual(want.map((w) => key(w.location_kind!, w.location!, w.layer_index!, w.in_final_fs!)).sort());
    for (const w of want) {
      const rules = w.kind!.split(',').flatMap((k) => RULE_FOR_KIND[k] ?? [k]);
      const hits = r.secrets.filter((s) => s.location.path === w.location);
      expect(hits.some((s) => rules.includes(s.ruleId)), `${w.location}: ${hits.map((s) => s.ruleId).join(',')}`).toBe(true);
    }
    // secret values never reach the report
    const text = JSON.stringify(r);
    for (const w of want) if (!w.value_or_sha256!.startsWith('sha256:')) expect(text).not.toContain(w.value_or_sha256!.replace(/^_authToken=/, ''));
  });

  it("reports debian-risky's planted misconfigurations", () => {
    const ids = new Set(reports['debian-risky']!.misconfigurations.map((m) => m.id));
    // root, 22/tcp, sshd, netcat, setuid, sudo, secrets in ENV
    for (const id of ['PCS-IMG-001', 'PCS-IMG-003', 'PCS-IMG-005', 'PCS-IMG-008', 'PCS-IMG-011', 'PCS-IMG-013', 'PCS-IMG-014']) expect(ids, id).toContain(id);
    expect(reports['node-app']!.misconfigurations.map((m) => m.id)).not.toContain('PCS-IMG-005');
  });

  it('produces reports valid against the ScanReport JSON Schema', () => {
    for (const r of Object.values(reports)) {
      expect(validate(JSON.parse(JSON.stringify(r)))).toEqual([]);
      expect(r.artifact.layers.length).toBeGreaterThan(0);
      expect(r.artifact.digest).toMatch(/^sha256:/);
    }
  });

  it('a repeated scan is served from the layer and filesystem caches with the same result', async () => {
    const again = await scan('node-app');
    expect(again).toEqual(reports['node-app']);
  });
});
