import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImageInventory } from '../analysis/types.js';
import { SBOM_WRITERS } from '../report/sbom/index.js';
import { VulnDb } from '../vulndb/db/database.js';
import { importPath } from '../vulndb/importers/index.js';
import { VulnDbMissingError } from './db.js';
import { scanFs, scanRootfs } from './fs.js';
import { SbomInputError, scanSbom } from './sbom.js';
import { scanReportValidator } from './testing.js';

let dir: string;
let cacheDir: string;
const validate = scanReportValidator();
// A GitHub token shape with enough entropy for the rule; not a real credential.
const TOKEN = 'ghp_' + 'aB3dE5fG7hJ9kL2mN4pQ6rS8tU0vW1xY3zA5';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'portcullis-scan-targets-'));
  cacheDir = join(dir, 'cache');
  const feed = join(dir, 'feed');
  mkdirSync(feed, { recursive: true });
  writeFileSync(
    join(feed, 'GHSA-test-lodash.json'),
    JSON.stringify({
      id: 'GHSA-test-lodash',
      modified: '2024-01-01T00:00:00Z',
      aliases: ['CVE-2099-0001'],
      summary: 'test advisory',
      affected: [{ package: { ecosystem: 'npm', name: 'lodash' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '4.17.21' }] }] }],
    }),
  );
  const db = VulnDb.open(join(cacheDir, 'vulndb.sqlite'));
  importPath(db, feed);
  db.close();

  const tree = join(dir, 'tree');
  mkdirSync(join(tree, 'app/node_modules/lodash'), { recursive: true });
  writeFileSync(join(tree, 'app/node_modules/lodash/package.json'), JSON.stringify({ name: 'lodash', version: '4.17.15' }));
  writeFileSync(join(tree, 'app/deploy.sh'), `export GITHUB_TOKEN=${TOKEN}\n`);
  writeFileSync(join(tree, 'app/Dockerfile'), 'FROM debian:latest\nADD app.tar /app\nEXPOSE 22\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('scanFs and scanRootfs', () => {
  it('scanFs finds package vulnerabilities, secrets and Dockerfile lint with line numbers', async () => {
    const r = await scanFs(join(dir, 'tree'), { cacheDir, now: new Date('2026-01-01T00:00:00Z') });
    expect(validate(JSON.parse(JSON.stringify(r)))).toEqual([]);
    expect(r.artifact.type).toBe('filesystem');
    expect(r.vulnerabilities.map((v) => [v.package.name, v.advisoryId, v.fixedVersion])).toEqual([['lodash', 'GHSA-test-lodash', '4.17.21']]);
    expect(r.secrets.map((s) => [s.ruleId, s.location.path])).toContainEqual(['github-pat', '/app/deploy.sh']);
    expect(JSON.stringify(r)).not.toContain(TOKEN);
    const lint = r.misconfigurations.filter((m) => m.location?.kind === 'dockerfile');
    expect(lint.length).toBeGreaterThan(0);
    expect(lint.every((m) => m.location?.path === 'app/Dockerfile' && (m.location.startLine ?? 0) >= 1)).toBe(true);
  });

  it('scanRootfs runs file checks but no image-config checks, and honours --scanners', async () => {
    const phases: string[] = [];
    const r = await scanRootfs(join(dir, 'tree'), { cacheDir, scanners: ['vuln', 'misconfig'], onProgress: (p) => phases.push(p.phase) });
    expect(r.artifact.type).toBe('rootfs');
    expect(phases).toContain('layers');
    expect(phases.slice(-3)).toEqual(['misconfig', 'match', 'done']);
    expect(r.scanners).toEqual(['vuln', 'misconfig']);
    expect(r.secrets).toEqual([]);
    expect(r.misconfigurations.filter((m) => m.location?.kind === 'config')).toEqual([]);
    expect(r.vulnerabilities).toHaveLength(1);
  });

  it('a missing DB is a VulnDbMissingError before anything is read', async () => {
    await expect(scanRootfs(join(dir, 'tree'), { cacheDir: join(dir, 'nothing') })).rejects.toBeInstanceOf(VulnDbMissingError);
  });
});

describe('scanSbom', () => {
  const inventory: ImageInventory = {
    packages: [{ type: 'npm', ecosystem: 'npm', name: 'lodash', version: '4.17.15', purl: 'pkg:npm/lodash@4.17.15', path: '/app/node_modules/lodash/package.json' }],
    layers: [],
    warnings: [],
  };

  it.each(['cyclonedx', 'spdx-json'] as const)('matches the packages of a %s SBOM', async (format) => {
    const file = join(dir, `sbom.${format}.json`);
    writeFileSync(file, SBOM_WRITERS[format]({ name: 'demo', inventory }));
    const r = await scanSbom(file, { cacheDir });
    expect(validate(JSON.parse(JSON.stringify(r)))).toEqual([]);
    expect(r.artifact.type).toBe('sbom');
    expect(r.vulnerabilities.map((v) => [v.package.purl, v.advisoryId])).toEqual([['pkg:npm/lodash@4.17.15', 'GHSA-test-lodash']]);
  });

  it('rejects what is not an SBOM with a clear error', async () => {
    const file = join(dir, 'not-sbom.json');
    writeFileSync(file, '{"hello": 1}');
    await expect(scanSbom(file, { cacheDir })).rejects.toThrow(SbomInputError);
    await expect(scanSbom(join(dir, 'absent.json'), { cacheDir })).rejects.toThrow(/ENOENT/);
  });
});
