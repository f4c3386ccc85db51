import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../../testing/net.js';

/**
 * Starts Debian's `docker-registry` (distribution 2.8) on 127.0.0.1 in a temporary directory, for
 * tests that need a real peer. Optional htpasswd auth (bcrypt, made with apache2-utils' htpasswd).
 */

function onPath(program: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${program}`], { stdio: 'ignore' }).status === 0;
}

export const hasDockerRegistry = onPath('docker-registry');
export const hasHtpasswd = onPath('htpasswd');

export interface ReferenceRegistry {
  /** host:port to use as the registry name. */
  host: string;
  dir: string;
  log: () => string;
  stop: () => Promise<void>;
}

export async function startDockerRegistry(opts: { users?: Record<string, string> } = {}): Promise<ReferenceRegistry> {
  const dir = await mkdtemp(join(tmpdir(), 'portcullis-docker-registry-'));
  const port = await freePort();
  let auth = '';
  if (opts.users) {
    const lines: string[] = [];
    for (const [u, p] of Object.entries(opts.users)) {
      const r = spawnSync('htpasswd', ['-Bbn', u, p], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`htpasswd failed: ${r.stderr}`);
      lines.push(r.stdout.trim());
    }
    await writeFile(join(dir, 'htpasswd'), lines.join('\n') + '\n');
    auth = `auth:\n  htpasswd:\n    realm: basic-realm\n    path: ${join(dir, 'htpasswd')}\n`;
  }
  const config = `version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: ${join(dir, 'data')}
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:${port}
  secret: test-only-not-a-secret
${auth}`;
  await writeFile(join(dir, 'config.yml'), config);
  let output = '';
  const child: ChildProcess = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  };
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) break;
    try {
      const res = await fetch(`http://127.0.0.1:${port}/v2/`);
      await res.arrayBuffer();
      if (res.status === 200 || res.status === 401) return { host: `127.0.0.1:${port}`, dir, log: () => output, stop };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`docker-registry did not start:\n${output}`);
}
