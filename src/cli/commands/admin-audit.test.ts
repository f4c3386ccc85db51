import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createMetadataStore } from '../../metadata/index.js';
import type { KyselyMetadataStore } from '../../metadata/index.js';
import { apiRoutes } from '../../server/api/index.js';
import { createSecurity } from '../../server/auth/setup.js';
import type { Security } from '../../server/auth/setup.js';
import { freePort } from '../../testing/net.js';
import { buildProgram } from '../program.js';

let dataDir: string;
let meta: KyselyMetadataStore;
let sec: Security;
let app: FastifyInstance;
let server: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'portcullis-cli-'));
  meta = await createMetadataStore({ driver: 'sqlite', path: join(dataDir, 'metadata.db') });
  await meta.migrate();
  sec = await createSecurity({ db: meta.database.db, dataDir, hashParams: { memoryCost: 256, timeCost: 1, parallelism: 1 }, adminPassword: 'cli-admin-password' });
  app = Fastify();
  await app.register(apiRoutes, { auth: sec.auth, audit: sec.audit, auditVerifiers: sec.auditVerifiers });
  const port = await freePort();
  await app.listen({ host: '127.0.0.1', port });
  server = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  await app?.close();
  await sec?.close();
  await meta?.close();
  await rm(dataDir, { recursive: true, force: true });
});

/** Runs the CLI in-process; returns what it printed and the exit code it set. */
async function cli(args: string[], opts: { stdin?: string; user?: string; password?: string } = {}): Promise<{ out: string; err: string; code: number }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  const error = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out.push(String(chunk).replace(/\n$/, ''));
    return true;
  });
  const stdin = Object.getOwnPropertyDescriptor(process, 'stdin');
  if (opts.stdin !== undefined) Object.defineProperty(process, 'stdin', { value: Readable.from([Buffer.from(opts.stdin)]), configurable: true });
  vi.stubEnv('PORTCULLIS_USERNAME', opts.user ?? 'admin');
  vi.stubEnv('PORTCULLIS_REGISTRY_PASSWORD', opts.password ?? 'cli-admin-password');
  process.exitCode = 0;
  try {
    await buildProgram().exitOverride().parseAsync(['node', 'portcullis', ...args]);
  } finally {
    log.mockRestore();
    error.mockRestore();
    write.mockRestore();
    vi.unstubAllEnvs();
    if (stdin) Object.defineProperty(process, 'stdin', stdin);
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  return { out: out.join('\n'), err: err.join('\n'), code };
}

describe('portcullis admin', () => {
  it('creates and lists users, with the password from stdin', async () => {
    const created = await cli(['admin', '--server', server, 'user', 'create', 'bob', '--password-stdin'], { stdin: 'bob-password-1\n' });
    expect(created).toMatchObject({ code: 0, out: 'created user bob' });
    expect((await sec.identity.verifyUserPassword('bob', 'bob-password-1'))?.name).toBe('bob');
    const list = await cli(['admin', '--server', server, 'user', 'list']);
    expect(list.out.split('\n')[0]).toMatch(/^NAME\s+ADMIN\s+CREATED_AT$/);
    expect(list.out).toMatch(/\nbob\s+false/);
  });

  it('creates a project, adds a member, creates / lists / revokes a robot', async () => {
    expect((await cli(['admin', '--server', server, 'project', 'create', 'web', '--public'])).out).toBe('created project web');
    expect((await cli(['admin', '--server', server, 'member', 'add', 'web', 'bob', 'developer'])).out).toBe('added bob to web as developer');
    const robot = await cli(['admin', '--server', server, 'robot', 'create', 'web', 'deployer', '--actions', 'pull,push', '--expires', '7']);
    expect(robot.out).toContain('robot account: robot$web+deployer');
    const secret = /secret:\s+(\S+)/.exec(robot.out)?.[1];
    expect((await sec.identity.verifyRobotSecret('robot$web+deployer', secret!))?.actions).toEqual(['pull', 'push']);
    const list = await cli(['admin', '--server', server, 'robot', 'list', 'web']);
    expect(list.out).toMatch(/robot\$web\+deployer\s+pull,push\s+\S+\s+false/);
    expect(list.out).not.toContain(secret);
    expect((await cli(['admin', '--server', server, 'robot', 'revoke', 'web', 'deployer'])).out).toBe('revoked robot$web+deployer');
    const users = await cli(['admin', '--server', server, 'user', 'delete', 'bob']);
    expect(users.out).toBe('deleted user bob');
  });

  it('reports API errors on stderr with exit status 1', async () => {
    const bad = await cli(['admin', '--server', server, 'user', 'list'], { password: 'wrong' });
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('invalid credentials');
    const invalid = await cli(['admin', '--server', server, 'member', 'add', 'web', 'admin', 'owner']);
    expect(invalid.code).toBe(1);
    expect(invalid.err).toMatch(/role/);
  });
});

describe('portcullis audit', () => {
  it('queries events over the API (text and json) and verifies the chain', async () => {
    const json = await cli(['audit', 'query', '--server', server, '--action', 'robot.*', '--format', 'json']);
    expect(JSON.parse(json.out).map((e: { action: string }) => e.action)).toEqual(['robot.create', 'robot.revoke']);
    const text = await cli(['audit', 'query', '--server', server, '--actor', 'admin', '--action', 'project.create']);
    expect(text.out).toMatch(/^\d+\t\S+\tadmin\t127\.0\.0\.1\tproject\.create\t-\tsuccess$/);
    const verified = await cli(['audit', 'verify', '--server', server]);
    expect(verified).toMatchObject({ code: 0 });
    expect(verified.out).toMatch(/^audit chain intact: \d+ events/);
  });

  it('verifies and exports from the data directory, and names a tampered event', async () => {
    await sec.audit.checkpoint();
    const ok = await cli(['audit', 'verify', '--data-dir', dataDir]);
    expect(ok.code).toBe(0);
    expect(ok.out).toContain('intact');
    const exported = await cli(['audit', 'export', '--data-dir', dataDir, '--format', 'jsonl']);
    const lines = exported.out.split('\n').map((l) => JSON.parse(l) as { seq: number });
    expect(lines.map((e) => e.seq)).toEqual(lines.map((_, i) => i + 1));
    await meta.database.db.withTables<{ audit_events: { seq: number; outcome: string } }>()
      .updateTable('audit_events').set({ outcome: 'failure' }).where('seq', '=', 3).execute();
    const broken = await cli(['audit', 'verify', '--data-dir', dataDir]);
    expect(broken.code).toBe(1);
    expect(broken.out).toBe('audit chain BROKEN at event 3 (edited): event 3 was edited (its hash no longer matches)');
    expect((await cli(['audit', 'verify', '--data-dir', join(dataDir, 'nowhere')])).code).toBe(2);
  });
});
