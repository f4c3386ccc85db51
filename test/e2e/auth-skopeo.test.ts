/**
 * Access control with real clients: skopeo with --creds / --src-creds / --dest-creds (it runs
 * the docker token flow by itself), and podman login + pull through an auth file.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORPUS_IMAGES, hasCorpus } from '../../src/testing/corpus.js';
import { containersEnv, tool } from '../../src/testing/containers.js';
import { TEST_ADMIN_PASSWORD, startTestServer, type TestServer } from '../../src/testing/server.js';

let srv: TestServer;
let work: string;
let env: NodeJS.ProcessEnv;
let source: string;
const creds: Record<string, string> = {};

const skopeo = (...args: string[]) => tool('skopeo', args, env, 120_000);
/** skopeo's failure output (the error tool() throws carries its stderr). */
async function refused(...args: string[]): Promise<string> {
  const err = await skopeo(...args).then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  expect(err, `skopeo ${args.join(' ')} should fail`).toBeDefined();
  return err!.message;
}

async function api(method: string, path: string, body?: object): Promise<Record<string, unknown>> {
  const res = await fetch(`${srv.url}/api/v1${path}`, {
    method,
    headers: { authorization: `Basic ${Buffer.from(`admin:${TEST_ADMIN_PASSWORD}`).toString('base64')}`, 'content-type': 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  expect(res.status, `${method} ${path}`).toBeLessThan(300);
  return (await res.json()) as Record<string, unknown>;
}

/** The corpus image, or (without the corpus) a one-file image built from scratch with buildah. */
async function imageSource(): Promise<string> {
  if (hasCorpus) return `oci:${CORPUS_IMAGES}:debian-minbase`;
  await writeFile(join(work, 'hello.txt'), 'hello from a tiny image\n');
  const ctr = (await tool('buildah', ['from', 'scratch'], env)).trim();
  await tool('buildah', ['copy', ctr, join(work, 'hello.txt'), '/hello.txt'], env);
  await tool('buildah', ['config', '--cmd', '/hello.txt', ctr], env);
  await tool('buildah', ['commit', '-q', ctr, `oci:${join(work, 'tiny')}:tiny`], env);
  await tool('buildah', ['rm', ctr], env);
  return `oci:${join(work, 'tiny')}:tiny`;
}

const ref = (repo: string) => `docker://${srv.hostPort}/${repo}`;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'portcullis-auth-skopeo-'));
  env = { ...(await containersEnv(join(work, 'containers'))), REGISTRY_AUTH_FILE: join(work, 'auth.json') };
  await writeFile(join(work, 'auth.json'), '{"auths":{}}\n');
  srv = await startTestServer({ auth: { enabled: true } });
  await api('POST', '/projects', { name: 'team' });
  await api('POST', '/projects', { name: 'other' });
  await api('POST', '/projects', { name: 'open', public: true });
  for (const [user, role] of [['dev', 'developer'], ['visitor', 'guest']] as const) {
    await api('POST', '/users', { name: user, password: `${user}-password` });
    await api('POST', '/projects/team/members', { user, role });
    creds[user] = `${user}:${user}-password`;
  }
  for (const [name, days] of [['ci', undefined], ['old', 1]] as const) {
    const robot = await api('POST', '/projects/team/robots', { name, actions: ['pull', 'push'], ...(days ? { expires_in_days: days } : {}) });
    creds[name] = `${String(robot.name)}:${String(robot.secret)}`;
  }
  // No API makes a robot expire early; the clock is moved on in the database instead.
  const db = new Database(join(srv.dataDir, 'metadata.db'));
  db.prepare('UPDATE robots SET expires_at = ? WHERE name = ?').run('2000-01-01T00:00:00.000Z', 'robot$team+old');
  db.close();
  source = await imageSource();
  const admin = `admin:${TEST_ADMIN_PASSWORD}`;
  await skopeo('copy', '-q', '--dest-tls-verify=false', '--dest-creds', admin, source, ref('other/base:1'));
  await skopeo('copy', '-q', '--dest-tls-verify=false', '--dest-creds', admin, source, ref('open/base:1'));
}, 180_000);
afterAll(async () => {
  await srv?.stop();
  await rm(work, { recursive: true, force: true });
});

describe('skopeo and podman against an access-controlled Portcullis', () => {
  it('lets a developer push and a guest pull, but not push', async () => {
    await skopeo('copy', '-q', '--dest-tls-verify=false', '--dest-creds', creds.dev!, source, ref('team/app:1'));
    const inspected = JSON.parse(await skopeo('inspect', '--tls-verify=false', '--creds', creds.visitor!, ref('team/app:1'))) as { Digest: string };
    expect(inspected.Digest).toMatch(/^sha256:/);
    await skopeo('copy', '-q', '--src-tls-verify=false', '--src-creds', creds.visitor!, ref('team/app:1'), `oci:${join(work, 'pulled')}:app`);
    const index = JSON.parse(await readFile(join(work, 'pulled', 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
    expect(index.manifests[0]!.digest).toBe(inspected.Digest);
    const out = await refused('copy', '-q', '--dest-tls-verify=false', '--dest-creds', creds.visitor!, source, ref('team/app:guest'));
    expect(out).toMatch(/denied|unauthorized/i);
    const tags = JSON.parse(await skopeo('list-tags', '--tls-verify=false', '--creds', creds.dev!, ref('team/app'))) as { Tags: string[] };
    expect(tags.Tags).toEqual(['1']);
  });

  it('keeps a robot inside its own project', async () => {
    await skopeo('copy', '-q', '--dest-tls-verify=false', '--dest-creds', creds.ci!, source, ref('team/app:robot'));
    // skopeo words a 403 from a blob probe as "403 (Forbidden)", from elsewhere as "denied".
    expect(await refused('copy', '-q', '--dest-tls-verify=false', '--dest-creds', creds.ci!, source, ref('other/app:robot'))).toMatch(/denied|403 \(Forbidden\)/i);
    expect(await refused('inspect', '--tls-verify=false', '--creds', creds.ci!, ref('other/base:1'))).toMatch(/denied|403 \(Forbidden\)/i);
  });

  it('refuses an expired robot, and wrong passwords', async () => {
    expect(await refused('inspect', '--tls-verify=false', '--creds', creds.old!, ref('team/app:1'))).toMatch(/unauthorized|invalid/i);
    expect(await refused('inspect', '--tls-verify=false', '--creds', 'dev:not-the-password', ref('team/app:1'))).toMatch(/unauthorized|invalid/i);
  });

  it('lets anybody pull from a public project, and nobody anonymous from a private one', async () => {
    const open = JSON.parse(await skopeo('inspect', '--tls-verify=false', '--no-creds', ref('open/base:1'))) as { Digest: string };
    expect(open.Digest).toMatch(/^sha256:/);
    expect(await refused('inspect', '--tls-verify=false', '--no-creds', ref('team/app:1'))).toMatch(/unauthorized|authentication required/i);
    expect(await refused('copy', '-q', '--dest-tls-verify=false', '--dest-no-creds', source, ref('open/base:2'))).toMatch(/unauthorized|authentication required/i);
  });

  it('works with podman login and its auth file', async () => {
    const [user, password] = creds.visitor!.split(':') as [string, string];
    await tool('podman', ['login', '--tls-verify=false', '-u', user, '-p', password, srv.hostPort], env);
    const auth = JSON.parse(await readFile(join(work, 'auth.json'), 'utf8')) as { auths: Record<string, { auth?: string; identitytoken?: string }> };
    expect(Object.keys(auth.auths)).toContain(srv.hostPort);
    await tool('podman', ['pull', '-q', '--tls-verify=false', `${srv.hostPort}/team/app:1`], env);
    const images = await tool('podman', ['images', '--format', '{{.Repository}}:{{.Tag}}'], env);
    expect(images).toContain(`${srv.hostPort}/team/app:1`);
    // skopeo reads the same auth file: the guest's credentials, so still no push.
    expect(await refused('copy', '-q', '--dest-tls-verify=false', source, ref('team/app:podman'))).toMatch(/denied|unauthorized/i);
    await tool('podman', ['logout', srv.hostPort], env);
    expect(await refused('inspect', '--tls-verify=false', ref('team/app:1'))).toMatch(/unauthorized|authentication required/i);
  });
});
