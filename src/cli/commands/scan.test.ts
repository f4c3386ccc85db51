import { Command } from 'commander';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { registerScan } from './scan.js';

const dir = mkdtempSync(join(tmpdir(), 'pcs-scan-'));
const dockerfile = join(dir, 'Dockerfile');
writeFileSync(dockerfile, 'FROM debian\nRUN apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*\nEXPOSE 22\n');

async function run(...args: string[]): Promise<{ out: string; err: string; code: number | undefined }> {
  let out = '';
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  vi.spyOn(console, 'error').mockImplementation((s: unknown) => void (err += `${String(s)}\n`));
  vi.spyOn(process, 'exit').mockImplementation((code) => {
    throw new Error(`exit ${code}`);
  });
  process.exitCode = undefined;
  const program = new Command('portcullis').exitOverride();
  registerScan(program);
  let code: number | undefined;
  try {
    await program.parseAsync(['node', 'portcullis', 'scan', 'dockerfile', ...args]);
    code = process.exitCode === undefined ? undefined : Number(process.exitCode);
  } catch (e) {
    code = Number(/exit (\d+)/.exec((e as Error).message)?.[1] ?? -1);
  } finally {
    process.exitCode = undefined;
    vi.restoreAllMocks();
  }
  return { out, err, code };
}

afterEach(() => vi.restoreAllMocks());

describe('portcullis scan dockerfile', () => {
  it('writes SARIF with line regions', async () => {
    const { out } = await run('--format', 'sarif', dockerfile);
    const sarif = JSON.parse(out) as { version: string; runs: { results: { ruleId: string; locations: { physicalLocation: { region?: { startLine: number } } }[] }[] }[] };
    expect(sarif.version).toBe('2.1.0');
    const exposed = sarif.runs[0]!.results.find((r) => r.ruleId === 'PCS-DF-012');
    expect(exposed?.locations[0]?.physicalLocation.region?.startLine).toBe(3);
  });

  it('prints a table', async () => {
    const { out, code } = await run(dockerfile);
    expect(out).toContain('Total: 4 (CRITICAL: 0, HIGH: 1, MEDIUM: 2, LOW: 1, UNKNOWN: 0)');
    expect(out).toMatch(/^3 +PCS-DF-012 +MEDIUM +Sensitive port exposed +EXPOSE 22 \(SSH\)\.$/m);
    expect(code).toBeUndefined();
  });

  it('prints JSON filtered by severity and sets the exit code', async () => {
    const { out, code } = await run(dockerfile, '--format', 'json', '--severity', 'HIGH,MEDIUM', '--exit-code', '3');
    const doc = JSON.parse(out) as { target: string; findings: { id: string; severity: string }[] };
    expect(doc.target).toBe(dockerfile);
    expect(doc.findings.map((f) => f.id)).toEqual(['PCS-DF-002', 'PCS-DF-001', 'PCS-DF-012']);
    expect(code).toBe(3);
  });

  it('rejects bad options and missing files with a clear message', async () => {
    expect(await run(dockerfile, '--severity', 'SEVERE')).toMatchObject({ code: 2, err: expect.stringMatching(/unknown severity SEVERE/) });
    expect(await run(dockerfile, '--format', 'xml')).toMatchObject({ code: 2, err: expect.stringMatching(/unknown format xml/) });
    expect(await run(join(dir, 'missing'))).toMatchObject({ code: 2, err: expect.stringMatching(/cannot read .*ENOENT/) });
  });
});
