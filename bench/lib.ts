/**
 * Shared pieces of the benchmarks: starting the two registries side by side, timing runs,
 * and printing aligned tables. Benchmarks print figures; they never assert on them.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../src/testing/net.js';

export const run = promisify(execFile);

export interface RegistryProcess {
  name: string;
  hostPort: string;
  stop(): Promise<void>;
}

async function waitUp(url: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      const res = await fetch(url);
      if (res.status === 200 || res.status === 401) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not come up`);
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise((done) => {
      if (child.exitCode !== null) return done();
      child.once('exit', () => done());
      child.kill('SIGTERM');
    });
}

/**
 * Portcullis from the compiled CLI (npm run build first), embedded defaults, logs at warn.
 * /v2 auth and the security gates are off by default here, as distribution has neither; the audit trail stays on.
 */
export async function startPortcullis(dir: string, env: NodeJS.ProcessEnv = { PORTCULLIS_AUTH__ENABLED: 'false', PORTCULLIS_GATES__ENABLED: 'false' }): Promise<RegistryProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [resolve('bin/portcullis.js'), 'serve', '--addr', `127.0.0.1:${port}`, '--data-dir', dir, '--log-level', 'warn'], {
    stdio: ['ignore', 'ignore', 'ignore'],
    env: { ...process.env, PORTCULLIS_ADMIN_PASSWORD: 'bench-admin-password', ...env },
  });
  await waitUp(`http://127.0.0.1:${port}/v2/`);
  return { name: 'portcullis', hostPort: `127.0.0.1:${port}`, stop: stopper(child) };
}

/** Debian's docker-registry (distribution 2.8.2) with filesystem storage, as the reference. */
export async function startDistribution(dir: string): Promise<RegistryProcess> {
  const port = await freePort();
  await mkdir(join(dir, 'data'), { recursive: true });
  const config = join(dir, 'config.yml');
  await writeFile(
    config,
    [
      'version: 0.1',
      'log:',
      '  level: warn',
      '  accesslog:',
      '    disabled: true',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${join(dir, 'data')}`,
      '  delete:',
      '    enabled: true',
      '  cache:',
      '    blobdescriptor: inmemory',
      'http:',
      `  addr: 127.0.0.1:${port}`,
      '  secret: bench-only-secret',
      '',
    ].join('\n'),
  );
  const child = spawn('docker-registry', ['serve', config], { stdio: ['ignore', 'ignore', 'ignore'] });
  await waitUp(`http://127.0.0.1:${port}/v2/`);
  return { name: 'distribution', hostPort: `127.0.0.1:${port}`, stop: stopper(child) };
}

export async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map((c) => (typeof c === 'number' ? fmt(c) : c)))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => String(r[i] ?? '').length)));
  const line = (r: (string | number)[]) => `| ${r.map((c, i) => String(c).padEnd(widths[i]!)).join(' | ')} |`;
  return [line(cells[0]!), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.slice(1).map(line)].join('\n');
}

function fmt(n: number): string {
  if (n >= 1000) return n.toFixed(0);
  if (n >= 10) return n.toFixed(1);
  return n.toFixed(3);
}
