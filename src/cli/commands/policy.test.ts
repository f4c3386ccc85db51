import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gen } from '../../analysis/secrets/testing/samples.js';
import { makeImage, writeOciLayout } from '../../image/sources/testing/image.js';
import { generateKeyPair, publicKeyPem } from '../../signing/keys.js';
import { createPolicyApi, type PolicyApi } from '../../server/api/policy-testing.js';
import { captureCli, type CliRun } from '../../testing/cli.js';
import { registerPolicy } from './policy.js';
import { registerTrust } from './trust.js';

/** `portcullis policy` and `portcullis trust` over HTTP against a live server with the policy endpoints. */

let api: PolicyApi;
let server: string;
let dir: string;
const savedPassword = process.env.PORTCULLIS_REGISTRY_PASSWORD;

async function cli(...args: string[]): Promise<CliRun> {
  const program = new Command('portcullis');
  registerPolicy(program);
  registerTrust(program);
  const run = await captureCli(program, args);
  if (run.error) throw run.error;
  return run;
}

/** As user `name` (password `<name>-password`) against the test server. */
const as = (name: string) => {
  process.env.PORTCULLIS_REGISTRY_PASSWORD = `${name}-password`;
  return ['--server', server, '--username', name];
};

beforeAll(async () => {
  api = await createPolicyApi();
  const { h } = api;
  for (const name of ['alice', 'gus']) await h.identity.createUser({ name, password: `${name}-password` });
  await h.identity.createUser({ name: 'root', password: 'root-password', admin: true });
  await h.identity.createProject({ name: 'team' });
  await h.identity.createProject({ name: 'other' });
  await h.identity.addMember('team', 'alice', 'projectAdmin');
  await h.identity.addMember('team', 'gus', 'guest');
  server = await api.app.listen({ host: '127.0.0.1', port: 0 });
  dir = await mkdtemp(join(tmpdir(), 'portcullis-policy-cli-'));
});
afterAll(async () => {
  await api?.close();
  await rm(dir, { recursive: true, force: true });
  if (savedPassword === undefined) delete process.env.PORTCULLIS_REGISTRY_PASSWORD;
  else process.env.PORTCULLIS_REGISTRY_PASSWORD = savedPassword;
});

describe('portcullis policy', () => {
  it('validates files offline with field-level errors and exit status 2', async () => {
    const good = join(dir, 'good.yaml');
    const bad = join(dir, 'bad.yaml');
    await writeFile(good, 'version: 1\nmode: warn\npush:\n  secrets: {}\n');
    await writeFile(bad, 'version: 1\npush:\n  vulnerabilities:\n    severity: SEVERE\n  typo: 1\n');
    const ok = await cli('policy', 'validate', good);
    expect(ok).toMatchObject({ code: 0, out: 'valid policy (mode warn; push: secrets; pull: no rules)\n' });
    const no = await cli('policy', 'validate', bad);
    expect(no.code).toBe(2);
    expect(no.err).toContain('push.vulnerabilities.severity:');
    expect(no.err).toMatch(/push: .*typo/);
    expect((await cli('policy', 'validate', join(dir, 'missing.yaml'))).code).toBe(1);
  });

  it('sets, gets (latest and by version) and lists the history over HTTP', async () => {
    const file = join(dir, 'team.yaml');
    const text = '# the team policy\nversion: 1\npush:\n  vulnerabilities:\n    severity: HIGH\n';
    await writeFile(file, text);
    const inherited = await cli('policy', 'get', 'team', ...as('gus'));
    expect(inherited.out).toMatch(/^# the server default \(no policy set\) \(inherited by project team\)\nversion: 1\n/);
    expect(await cli('policy', 'history', 'team', ...as('gus'))).toMatchObject({ code: 0, out: 'no policy set for team: it inherits the system policy\n' });

    expect(await cli('policy', 'set', 'team', file, ...as('alice'))).toMatchObject({ code: 0, out: 'stored version 1 of the policy of team\n' });
    await writeFile(file, 'version: 1\nmode: warn\n');
    expect((await cli('policy', 'set', 'team', file, ...as('alice'))).out).toBe('stored version 2 of the policy of team\n');

    const latest = await cli('policy', 'get', 'team', ...as('gus'));
    expect(latest.out).toMatch(/^# project team, version 2 by alice at \S+\nversion: 1\nmode: warn\n$/);
    const first = await cli('policy', 'get', 'team', '-v', '1', ...as('gus'));
    expect(first.out).toBe(`${first.out.split('\n')[0]}\n${text}`);
    const json = JSON.parse((await cli('policy', 'get', 'team', '--policy-version', '1', '--json', ...as('gus'))).out) as { policy: unknown };
    expect(json.policy).toEqual({ version: 1, mode: 'enforce', push: { vulnerabilities: { severity: 'HIGH', onlyFixed: false, allow: [] } }, pull: {} });
    const history = await cli('policy', 'history', 'team', ...as('gus'));
    expect(history.out.split('\n').map((l) => l.split(/\s+/).slice(0, 2).join(' '))).toEqual(['VERSION AUTHOR', '2 alice', '1 alice', '']);
    expect((await cli('policy', 'get', 'team', '--policy-version', '7', ...as('gus'))).code).toBe(1);
    expect(await cli('policy', 'get', 'team', '-v', 'x', ...as('gus'))).toMatchObject({ code: 2, err: 'error: --policy-version must be a positive integer\n' });
  });

  it('reports refusals and invalid files without storing anything', async () => {
    const file = join(dir, 'x.yaml');
    await writeFile(file, 'version: 1\n');
    const guest = await cli('policy', 'set', 'team', file, ...as('gus'));
    expect(guest.code).toBe(1);
    expect(guest.err).toMatch(/project administrators of "team" only/);
    await writeFile(file, 'version: 1\nmode: sometimes\n');
    const invalid = await cli('policy', 'set', 'team', file, ...as('alice'));
    expect(invalid.code).toBe(2);
    expect(invalid.err).toMatch(/mode: /);
    process.env.PORTCULLIS_REGISTRY_PASSWORD = 'not-the-password';
    const wrongPassword = await cli('policy', 'get', 'team', '--server', server, '--username', 'alice');
    expect(wrongPassword).toMatchObject({ code: 1, err: 'error: invalid credentials\n' });
    expect((await cli('policy', 'history', 'team', ...as('gus'))).out.split('\n')).toHaveLength(4);
  });
});

describe('portcullis policy set-system / get-system', () => {
  it('is for system administrators, and projects without a policy inherit it', async () => {
    const file = join(dir, 'system.yaml');
    await writeFile(file, 'version: 1\npull:\n  requireScan: true\n');
    expect((await cli('policy', 'set-system', file, ...as('alice'))).err).toMatch(/system administrators only/);
    expect((await cli('policy', 'get-system', ...as('root'))).out).toMatch(/^# the server default \(no policy set\)\nversion: 1\n/);
    expect((await cli('policy', 'set-system', file, ...as('root'))).out).toBe('stored version 1 of the system policy\n');
    expect((await cli('policy', 'get-system', ...as('root'))).out).toMatch(/^# the system policy, version 1 by root at \S+\nversion: 1\npull:\n {2}requireScan: true\n$/);
    const inherited = await cli('policy', 'get', 'other', ...as('root'));
    expect(inherited.out).toMatch(/^# the system policy, version 1 by root at \S+ \(inherited by project other\)\n/);
  });
});

describe('portcullis trust', () => {
  it('adds, lists and removes trusted keys', async () => {
    const pub = join(dir, 'cosign.pub');
    await writeFile(pub, publicKeyPem(generateKeyPair().publicKey));
    const added = await cli('trust', 'add', 'team', 'release', '--key', pub, ...as('alice'));
    expect(added).toMatchObject({ code: 0, out: expect.stringMatching(/^trusted key release \([0-9a-f]{64}\) in team\n$/) });
    const list = await cli('trust', 'list', 'team', ...as('gus'));
    expect(list.out).toMatch(/^NAME\s+KEY ID\s+ADDED BY\s+CREATED\nrelease\s+[0-9a-f]{64}\s+alice\s+\S+\n$/);
    const notAKey = join(dir, 'not.pem');
    await writeFile(notAKey, 'hello');
    expect(await cli('trust', 'add', 'team', 'bad', '--key', notAKey, ...as('alice'))).toMatchObject({ code: 2, err: expect.stringMatching(/key: not a PEM public key/) });
    expect((await cli('trust', 'remove', 'team', 'release', ...as('gus'))).code).toBe(1);
    expect((await cli('trust', 'remove', 'team', 'release', ...as('alice'))).out).toBe('removed trusted key release from team\n');
    expect((await cli('trust', 'list', 'team', ...as('gus'))).out).toBe('NAME  KEY ID  ADDED BY  CREATED\n');
  });
});

describe('portcullis policy test', () => {
  it('scans an image and shows both decisions without pushing', async () => {
    const image = await makeImage(
      [[{ name: 'app/', type: 'directory' }, { name: 'app/.env', content: `AWS_ACCESS_KEY_ID=AKIA${gen('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16)}\n` }]],
      { User: 'root', Labels: { 'org.opencontainers.image.base.name': 'debian:12' } },
    );
    const layout = join(dir, 'layout');
    await writeOciLayout(layout, [{ tag: 'risky', image }]);
    const policy = join(dir, 'gate.yaml');
    await writeFile(policy, 'version: 1\npush:\n  secrets: {}\n  misconfigurations:\n    deny: [PCS-IMG-001]\n  baseImages:\n    allow: ["docker.io/library/debian:*"]\npull:\n  requireScan: true\n');
    const args = ['policy', 'test', policy, `oci:${layout}:risky`, '--scanners', 'secret,misconfig', '--cache-dir', join(dir, 'cache')];
    const res = await cli(...args);
    expect(res.err).toBe('');
    expect(res.code).toBe(1);
    expect(res.out).toContain(`image: oci:${layout}:risky (${image.manifestDigest})`);
    expect(res.out).toMatch(/push: DENIED\n {2}deny \[CRITICAL\] secret: 1 secret in the image\n\s+aws-access-key-id: \/app\/\.env \(layer 0\)\n/);
    expect(res.out).toContain('deny [HIGH] misconfiguration: PCS-IMG-001: Image runs as root');
    expect(res.out).not.toContain('base-image');
    expect(res.out).toMatch(/pull: ALLOWED\n {2}no violations/);
    const json = JSON.parse((await cli(...args, '--json')).out) as { push: { allowed: boolean }; pull: { allowed: boolean } };
    expect([json.push.allowed, json.pull.allowed]).toEqual([false, true]);

    await writeFile(policy, 'version: 1\nmode: warn\npush:\n  secrets: {}\n');
    const warned = await cli(...args);
    expect(warned.code).toBe(0);
    expect(warned.out).toContain('push: ALLOWED (warn mode)');
    const missing = await cli('policy', 'test', policy, `oci:${join(dir, 'nothing')}:x`, '--scanners', 'secret');
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/^error: /);
  });
});
