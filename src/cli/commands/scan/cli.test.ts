import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORPUS_IMAGES, corpusPath, hasCorpus, REPO_ROOT } from '../../../testing/corpus.js';
import { VulnDb } from '../../../vulndb/db/database.js';
import { importPath } from '../../../vulndb/importers/index.js';
import { envName } from './options.js';

const ENTRY = fileURLToPath(new URL('./testdata/run-cli.ts', import.meta.url));

function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, CI: '1', NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('scan flags', () => {
  it('every flag has a PORTCULLIS_SCAN_ environment name', () => {
    expect(envName('--severity')).toBe('PORTCULLIS_SCAN_SEVERITY');
    expect(envName('--exit-code')).toBe('PORTCULLIS_SCAN_EXIT_CODE');
    expect(envName('--no-progress')).toBe('PORTCULLIS_SCAN_NO_PROGRESS');
  });
});

describe.skipIf(!hasCorpus)('portcullis scan image (end to end)', () => {
  let dir: string;
  let cacheDir: string;
  const image = `oci:${CORPUS_IMAGES}:node-app`;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'portcullis-scan-cli-'));
    cacheDir = join(dir, 'cache');
    const db = VulnDb.open(join(cacheDir, 'vulndb.sqlite'));
    importPath(db, corpusPath('vulndata', 'osv/npm'));
    db.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes SARIF with -o and exits with --exit-code when findings remain', async () => {
    const out = join(dir, 'report.sarif');
    const r = await cli(['scan', 'image', image, '--format', 'sarif', '-o', out, '--exit-code', '1', '--cache-dir', cacheDir, '--offline']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const sarif = JSON.parse(readFileSync(out, 'utf8')) as { version: string; runs: { results: { ruleId: string }[] }[] };
    expect(sarif.version).toBe('2.1.0');
    const ids = new Set(sarif.runs[0]!.results.map((x) => x.ruleId));
    for (const id of ['GHSA-p6mc-m468-83gw', 'GHSA-vh95-rmgr-6w4m', 'npm-access-token']) expect(ids).toContain(id);
  }, 120_000);

  it('environment variables set flags, command-line flags win; an ignore file can clear every finding', async () => {
    const env = { [envName('--exit-code')]: '5', [envName('--scanners')]: 'vuln', [envName('--format')]: 'json' };
    const viaEnv = await cli(['scan', 'image', image, '--cache-dir', cacheDir], env);
    expect(viaEnv.code).toBe(5);
    const report = JSON.parse(viaEnv.stdout) as { scanners: string[]; vulnerabilities: unknown[]; suppressed: { total: number } };
    expect(report.scanners).toEqual(['vuln']);
    expect(report.vulnerabilities).toHaveLength(7);

    const ignore = join(dir, '.trivyignore');
    writeFileSync(ignore, ['GHSA-p6mc-m468-83gw', 'GHSA-29mw-wpgm-hmr9', 'GHSA-35jh-r3h4-6jhm', 'CVE-2020-7598 # minimist alias', 'GHSA-xvch-5gv4-984h'].join('\n'));
    const ignored = await cli(['scan', 'image', image, '--cache-dir', cacheDir, '--exit-code', '4', '--ignorefile', ignore], env);
    const clean = JSON.parse(ignored.stdout) as { vulnerabilities: unknown[]; suppressed: { total: number } };
    expect(clean.vulnerabilities).toEqual([]);
    expect(clean.suppressed.total).toBe(7);
    expect(ignored.code).toBe(0);

    const flagWins = await cli(['scan', 'image', image, '--cache-dir', cacheDir, '--exit-code', '4'], env);
    expect(flagWins.code).toBe(4);
  }, 120_000);

  it('exit 3 when the vulnerability DB is missing, 2 for usage and input errors', async () => {
    const missing = await cli(['scan', 'image', image, '--cache-dir', join(dir, 'empty'), '--offline', '--quiet']);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/no vulnerability database/);
    const badFormat = await cli(['scan', 'image', image, '--format', 'xml', '--cache-dir', cacheDir]);
    expect(badFormat.code).toBe(2);
    expect(badFormat.stderr).toMatch(/unknown format xml/);
    const remoteOffline = await cli(['scan', 'image', 'docker://example.com/x:1', '--offline', '--cache-dir', cacheDir]);
    expect(remoteOffline.code).toBe(2);
    const noSuchImage = await cli(['scan', 'image', `oci:${join(dir, 'nope')}:x`, '--cache-dir', cacheDir, '--scanners', 'secret']);
    expect(noSuchImage.code).toBe(2);
  }, 120_000);
});

describe('portcullis scan fs --secret-config', () => {
  it('applies the secret configuration file (disabled rules, extra rules) and refuses an invalid one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'portcullis-secret-cfg-'));
    try {
      const tree = join(dir, 'tree');
      const { mkdirSync } = await import('node:fs');
      mkdirSync(tree);
      writeFileSync(join(tree, 'app.env'), 'GITHUB_TOKEN=ghp_R7x2Kq9LmN4pT8vW1yZ3bC6dF0gH5jA2sE9u\nINTERNAL=acme-key-0123456789abcdef\n');
      const base = ['scan', 'fs', tree, '--scanners', 'secret', '--format', 'json', '--cache-dir', join(dir, 'cache')];
      const plain = await cli(base);
      const ids = (out: string) => (JSON.parse(out) as { secrets: { ruleId: string }[] }).secrets.map((x) => x.ruleId).sort();
      expect(ids(plain.stdout)).toEqual(['github-pat']);
      const cfg = join(dir, 'portcullis-secret.yaml');
      writeFileSync(cfg, 'disable-rules: [github-pat]\nrules:\n  - id: acme-key\n    category: Acme\n    title: Acme internal key\n    severity: HIGH\n    keywords: [acme-key-]\n    regex: acme-key-[0-9a-f]{16}\n');
      const configured = await cli([...base, '--secret-config', cfg]);
      expect(configured.stderr).toBe('');
      expect(ids(configured.stdout)).toEqual(['acme-key']);
      writeFileSync(cfg, 'disable-rules: [no-such-rule]\n');
      const bad = await cli([...base, '--secret-config', cfg]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/no-such-rule/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
