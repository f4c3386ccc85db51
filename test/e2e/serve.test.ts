import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestOf } from '../../src/image/digest.js';
import { REPO_ROOT } from '../../src/testing/corpus.js';
import { freePort } from '../../src/testing/net.js';

const BIN = join(REPO_ROOT, 'bin/portcullis.js');
let cwd: string;

interface Proc {
  child: ChildProcessWithoutNullStreams;
  out: () => string;
  exited: Promise<number | null>;
}

function cli(args: string[], env: NodeJS.ProcessEnv = {}): Proc {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, ...env } });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, out: () => out, exited };
}

async function waitFor(url: string): Promise<void> {
  for (let i = 0; i < 150; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} never answered`);
}

beforeAll(async () => {
  if (!existsSync(join(REPO_ROOT, 'dist/cli/main.js'))) throw new Error('dist/ is missing: run `npm run build` (scripts/test.sh does)');
  cwd = await mkdtemp(join(tmpdir(), 'portcullis-serve-'));
});
afterAll(async () => {
  await rm(cwd, { recursive: true, force: true });
});

describe('portcullis serve', () => {
  it('starts with the embedded default, logs JSON with request ids, keeps data across restarts, stops on SIGTERM', async () => {
    const port = await freePort();
    const p = cli(['serve', '--addr', `127.0.0.1:${port}`]);
    const base = `http://127.0.0.1:${port}`;
    await waitFor(`${base}/readyz`);
    expect(existsSync(join(cwd, 'portcullis-data'))).toBe(true);
    // First start: an administrator with a generated password, printed once.
    const printed = /Created the first administrator "admin" with password:\s+(\S+)/.exec(p.out());
    expect(printed).not.toBeNull();
    const basic = `Basic ${Buffer.from(`admin:${printed![1]}`).toString('base64')}`;
    const blob = Buffer.from('persist me');
    const anonymous = await fetch(`${base}/v2/keep/it/blobs/uploads/?digest=${digestOf(blob)}`, { method: 'POST', body: blob });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer realm="http:\/\/127\.0\.0\.1:\d+\/token",service="portcullis"/);
    const put = await fetch(`${base}/v2/keep/it/blobs/uploads/?digest=${digestOf(blob)}`, { method: 'POST', body: blob, headers: { 'X-Request-Id': 'req-abc', Authorization: basic } });
    expect(put.status).toBe(201);
    expect(p.out()).not.toContain(`"${printed![1]}"`);
    expect(put.headers.get('x-request-id')).toBe('req-abc');
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    const lines = p.out().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.some((l) => l.reqId === 'req-abc' && l.status === 201)).toBe(true);
    expect(lines.some((l) => l.msg === 'portcullis listening')).toBe(true);

    // The data stays across a restart.
    const again = cli(['serve', '--addr', `127.0.0.1:${port}`]);
    await waitFor(`${base}/readyz`);
    const head = await fetch(`${base}/v2/keep/it/blobs/${digestOf(blob)}`, { method: 'HEAD', headers: { Authorization: basic } });
    expect(head.status).toBe(200);
    expect(again.out()).not.toMatch(/first administrator/);
    again.child.kill('SIGINT');
    expect(await again.exited).toBe(0);
  });

  it('refuses plain HTTP beyond loopback unless --insecure', async () => {
    const p = cli(['serve', '--addr', '0.0.0.0:0', '--data-dir', join(cwd, 'd2')]);
    expect(await p.exited).not.toBe(0);
    expect(p.out()).toMatch(/without TLS/);
  });

  it('exits with field-level messages for a bad configuration', async () => {
    const file = join(cwd, 'bad.yaml');
    await writeFile(file, 'addr: 127.0.0.1:99999999\nlog:\n  level: chatty\n');
    const p = cli(['serve', '--config', file]);
    expect(await p.exited).toBe(2);
    expect(p.out()).toMatch(/addr: expected HOST:PORT/);
    expect(p.out()).toMatch(/log\.level/);
  });

  it('takes configuration from PORTCULLIS_* variables', async () => {
    const port = await freePort();
    const dir = join(cwd, 'from-env');
    const p = cli(['serve'], { PORTCULLIS_ADDR: `127.0.0.1:${port}`, PORTCULLIS_DATA_DIR: dir, PORTCULLIS_LOG__LEVEL: 'warn' });
    await waitFor(`http://127.0.0.1:${port}/healthz`);
    expect(await readdir(dir)).toContain('metadata.db');
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    expect(p.out()).not.toMatch(/"msg":"request"/);
  });
});
