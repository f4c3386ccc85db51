/**
 * The audit trail of a real server, tampered with on disk after it stopped: `portcullis audit
 * verify` (the built CLI) must name the first bad event for every kind of tampering, and pass
 * the untouched copy. `audit query` shows pushes, pulls, failed logins and refused writes.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/audit/event.js';
import { digestOf } from '../../src/image/digest.js';
import { MediaType } from '../../src/image/mediatypes.js';
import { REPO_ROOT } from '../../src/testing/corpus.js';
import { TEST_ADMIN_PASSWORD, startTestServer } from '../../src/testing/server.js';

const run = promisify(execFile);
const BIN = join(REPO_ROOT, 'bin/portcullis.js');
let work: string;
let dataDir: string;
let copies = 0;

async function cli(...args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, out: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

/** A fresh copy of the stopped server's data directory, changed by `tamper` through SQL. */
async function tampered(tamper: (db: Database.Database) => void): Promise<string> {
  const dir = join(work, `copy-${++copies}`);
  await cp(dataDir, dir, { recursive: true });
  const db = new Database(join(dir, 'metadata.db'));
  try {
    tamper(db);
  } finally {
    db.close();
  }
  return dir;
}

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
let pushSeq = 0;
let lastSeq = 0;

beforeAll(async () => {
  if (!existsSync(join(REPO_ROOT, 'dist/cli/main.js'))) throw new Error('dist/ is missing: run `npm run build` (scripts/test.sh does)');
  work = await mkdtemp(join(tmpdir(), 'portcullis-audit-tamper-'));
  dataDir = join(work, 'data');
  const srv = await startTestServer({ dataDir, auth: { enabled: true } });
  const admin = basic('admin', TEST_ADMIN_PASSWORD);
  const call = (method: string, path: string, auth: string | undefined, body?: string | Buffer, type?: string) =>
    fetch(`${srv.url}${path}`, { method, headers: { ...(auth ? { authorization: auth } : {}), ...(type ? { 'content-type': type } : {}) }, ...(body ? { body } : {}) });
  const json = 'application/json';
  expect((await call('POST', '/api/v1/projects', admin, JSON.stringify({ name: 'team' }), json)).status).toBe(201);
  for (const [user, role] of [['dev', 'developer'], ['visitor', 'guest']]) {
    expect((await call('POST', '/api/v1/users', admin, JSON.stringify({ name: user, password: `${user}-password` }), json)).status).toBe(201);
    expect((await call('POST', '/api/v1/projects/team/members', admin, JSON.stringify({ user, role }), json)).status).toBe(201);
  }
  const dev = basic('dev', 'dev-password');
  expect((await call('GET', '/token?service=portcullis&scope=repository:team/app:pull,push', dev)).status).toBe(200);
  expect((await call('GET', '/token?service=portcullis', basic('dev', 'wrong-password'))).status).toBe(401);
  const config = Buffer.from('{"architecture":"amd64","os":"linux"}');
  expect((await call('POST', `/v2/team/app/blobs/uploads/?digest=${digestOf(config)}`, dev, config)).status).toBe(201);
  const manifest = JSON.stringify({ schemaVersion: 2, mediaType: MediaType.OciManifest, config: { mediaType: MediaType.OciConfig, digest: digestOf(config), size: config.length }, layers: [] });
  expect((await call('PUT', '/v2/team/app/manifests/1.0', dev, manifest, MediaType.OciManifest)).status).toBe(201);
  const visitor = basic('visitor', 'visitor-password');
  expect((await call('GET', '/v2/team/app/manifests/1.0', visitor)).status).toBe(200);
  expect((await call('PUT', '/v2/team/app/manifests/evil', visitor, manifest, MediaType.OciManifest)).status).toBe(403);
  await srv.stop();

  const db = new Database(join(dataDir, 'metadata.db'), { readonly: true });
  pushSeq = (db.prepare("SELECT seq FROM audit_events WHERE action = 'image.push'").get() as { seq: number }).seq;
  lastSeq = (db.prepare('SELECT max(seq) AS seq FROM audit_events').get() as { seq: number }).seq;
  db.close();
}, 120_000);
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('portcullis audit verify on a stopped server data directory', () => {
  it('passes the untouched trail', async () => {
    const r = await cli('audit', 'verify', '--data-dir', await tampered(() => undefined));
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(new RegExp(`audit chain intact: ${lastSeq} events`));
  });

  const cases: [string, (db: Database.Database) => void, () => RegExp][] = [
    ['an edited field', (db) => db.prepare("UPDATE audit_events SET actor_name = 'mallory' WHERE seq = ?").run(pushSeq), () => new RegExp(`BROKEN at event ${pushSeq} \\(edited\\)`)],
    ['an edited outcome', (db) => db.prepare("UPDATE audit_events SET outcome = 'success' WHERE action = 'access.denied'").run(), () => /BROKEN at event \d+ \(edited\)/],
    ['a deleted row', (db) => db.prepare('DELETE FROM audit_events WHERE seq = ?').run(pushSeq), () => new RegExp(`BROKEN at event ${pushSeq} \\(deleted\\)`)],
    [
      'two swapped rows',
      (db) => {
        // Every column but the sequence number changes places, as a reordering would.
        const cols = (db.prepare('SELECT name FROM pragma_table_info(?)').all('audit_events') as { name: string }[]).map((c) => c.name).filter((c) => c !== 'seq');
        const get = db.prepare('SELECT * FROM audit_events WHERE seq = ?');
        const [a, b] = [get.get(pushSeq) as Record<string, unknown>, get.get(pushSeq + 1) as Record<string, unknown>];
        const set = db.prepare(`UPDATE audit_events SET ${cols.map((c) => `${c} = @${c}`).join(', ')} WHERE seq = @seq`);
        db.transaction(() => {
          set.run({ ...b, seq: pushSeq });
          set.run({ ...a, seq: pushSeq + 1 });
        })();
      },
      () => new RegExp(`BROKEN at event ${pushSeq} \\(inserted-or-reordered\\)`),
    ],
    ['a truncated tail', (db) => db.prepare('DELETE FROM audit_events WHERE seq > ?').run(pushSeq), () => new RegExp(`BROKEN at event ${pushSeq + 1} \\(truncated\\)`)],
    ['an emptied table', (db) => db.prepare('DELETE FROM audit_events').run(), () => /BROKEN at event 1 \(truncated\)/],
  ];
  it.concurrent.each(cases)('names the first bad event after %s', async (_name, tamper, want) => {
    const r = await cli('audit', 'verify', '--data-dir', await tampered(tamper));
    expect(r.code, r.out).toBe(1);
    expect(r.out).toMatch(want());
  });
});

describe('portcullis audit query on the same directory', () => {
  it('shows pushes, pulls, failed logins and refused writes', async () => {
    const r = await cli('audit', 'query', '--data-dir', dataDir, '--format', 'json');
    expect(r.code, r.out).toBe(0);
    const events = JSON.parse(r.out) as AuditEvent[];
    const find = (action: string, outcome: string) => events.filter((e) => e.action === action && e.outcome === outcome);
    expect(find('image.push', 'success')).toEqual([expect.objectContaining({ actorName: 'dev', repository: 'team/app', tag: '1.0' })]);
    expect(find('image.pull', 'success')).toEqual([expect.objectContaining({ actorName: 'visitor', repository: 'team/app', tag: '1.0' })]);
    expect(find('auth.login', 'failure')).toEqual([expect.objectContaining({ actorName: 'dev', reasons: ['invalid credentials'] })]);
    expect(find('access.denied', 'denied')).toEqual([expect.objectContaining({ actorName: 'visitor', repository: 'team/app' })]);
    for (const e of events) expect(e.source === null || e.source === '127.0.0.1' || e.actorType === 'system').toBe(true);

    const text = await cli('audit', 'query', '--data-dir', dataDir, '--actor', 'dev', '--action', 'image.*');
    expect(text.out.trim().split('\n')).toHaveLength(1);
    expect(text.out).toMatch(/\tdev\t127\.0\.0\.1\timage\.push\tteam\/app:1\.0@sha256:[0-9a-f]{64}\tsuccess/);
  });
});
