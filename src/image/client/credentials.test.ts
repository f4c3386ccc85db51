import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseWwwAuthenticate } from './auth.js';
import { chainResolvers, credentialsFromHelper, dockerConfigPath, dockerConfigResolver, normalizeRegistryKey, staticCredentials } from './credentials.js';

let dir: string;
let oldPath: string | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'portcullis-creds-'));
  // A real credential helper program, speaking the docker-credential protocol on stdin/stdout.
  await writeFile(
    join(dir, 'docker-credential-fake'),
    `#!/bin/sh
[ "$1" = get ] || exit 3
read server
case "$server" in
  helper.example.com) printf '{"ServerURL":"%s","Username":"hu","Secret":"hs"}' "$server" ;;
  token.example.com) printf '{"ServerURL":"%s","Username":"<token>","Secret":"idt"}' "$server" ;;
  https://index.docker.io/v1/) printf '{"ServerURL":"%s","Username":"hub","Secret":"hubpw"}' "$server" ;;
  broken.example.com) echo 'internal failure: secret-xyz' >&2; exit 2 ;;
  *) echo 'credentials not found in native keychain'; exit 1 ;;
esac
`,
  );
  await chmod(join(dir, 'docker-credential-fake'), 0o755);
  oldPath = process.env.PATH;
  process.env.PATH = `${dir}:${process.env.PATH ?? ''}`;
});

afterAll(async () => {
  process.env.PATH = oldPath;
  await rm(dir, { recursive: true, force: true });
});

async function configWith(doc: unknown): Promise<string> {
  const p = join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
  await writeFile(p, JSON.stringify(doc));
  return p;
}

describe('docker config credentials', () => {
  it('reads auths entries (base64 auth, identitytoken) under any key spelling', async () => {
    const path = await configWith({
      auths: {
        'https://index.docker.io/v1/': { auth: Buffer.from('hubuser:hub:pw').toString('base64') },
        'http://localhost:5000/v2/': { auth: Buffer.from('u:p').toString('base64') },
        'reg.example.com': { identitytoken: 'refresh-me' },
      },
    });
    const r = dockerConfigResolver({ path });
    expect(await r('docker.io')).toEqual({ username: 'hubuser', password: 'hub:pw' });
    expect(await r('localhost:5000')).toEqual({ username: 'u', password: 'p' });
    expect(await r('reg.example.com')).toEqual({ identityToken: 'refresh-me' });
    expect(await r('other.example.com')).toBeUndefined();
  });

  it('execs credHelpers and credsStore, falling back to auths when the helper has nothing', async () => {
    const path = await configWith({
      credsStore: 'fake',
      credHelpers: { 'token.example.com': 'fake' },
      auths: { 'plain.example.com': { auth: Buffer.from('a:b').toString('base64') } },
    });
    const r = dockerConfigResolver({ path });
    expect(await r('helper.example.com')).toEqual({ username: 'hu', password: 'hs' });
    expect(await r('token.example.com')).toEqual({ identityToken: 'idt' });
    expect(await r('docker.io')).toEqual({ username: 'hub', password: 'hubpw' });
    expect(await r('plain.example.com')).toEqual({ username: 'a', password: 'b' });
  });

  it('reports a failing helper without echoing its output, and an absent one clearly', async () => {
    const err = (await credentialsFromHelper('fake', 'broken.example.com').catch((e: unknown) => e)) as Error;
    expect(err.message).toContain('exit code 2');
    expect(err.message).not.toContain('secret-xyz');
    await expect(credentialsFromHelper('does-not-exist-xyz', 'x')).rejects.toThrow(/docker-credential-does-not-exist-xyz/);
    await expect(credentialsFromHelper('../evil', 'x')).rejects.toThrow(/invalid credential helper name/);
  });

  it('missing config is no credentials; malformed config is an error', async () => {
    expect(await dockerConfigResolver({ path: join(dir, 'nope.json') })('x.io')).toBeUndefined();
    const bad = join(dir, 'bad.json');
    await writeFile(bad, '{not json');
    await expect(dockerConfigResolver({ path: bad })('x.io')).rejects.toThrow(/not valid JSON/);
  });

  it('finds config.json via DOCKER_CONFIG', () => {
    expect(dockerConfigPath({ DOCKER_CONFIG: '/cfg' })).toBe('/cfg/config.json');
    expect(dockerConfigPath({ HOME: '/home/u' })).toBe('/home/u/.docker/config.json');
    expect(normalizeRegistryKey('https://registry-1.docker.io/v2/')).toBe('docker.io');
  });

  it('chains explicit credentials before the config', async () => {
    const r = chainResolvers(staticCredentials({ username: 'x', password: 'y' }, 'a.io'), staticCredentials({ username: 'z', password: 'w' }));
    expect(await r('a.io')).toEqual({ username: 'x', password: 'y' });
    expect(await r('b.io')).toEqual({ username: 'z', password: 'w' });
  });
});

describe('parseWwwAuthenticate', () => {
  it('parses bearer challenges with quoted commas and several schemes', () => {
    expect(parseWwwAuthenticate('Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:a/b:pull,push"')).toEqual([
      { scheme: 'bearer', params: { realm: 'https://auth.example.com/token', service: 'registry.example.com', scope: 'repository:a/b:pull,push' } },
    ]);
    expect(parseWwwAuthenticate('Basic realm="x", Bearer realm="y",error=insufficient_scope')).toEqual([
      { scheme: 'basic', params: { realm: 'x' } },
      { scheme: 'bearer', params: { realm: 'y', error: 'insufficient_scope' } },
    ]);
    expect(parseWwwAuthenticate('Basic realm="a \\"q\\" b"')).toEqual([{ scheme: 'basic', params: { realm: 'a "q" b' } }]);
  });
});
