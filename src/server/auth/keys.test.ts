import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateServerKey, loadServerKey, serverJwks, serverKeyPath } from './keys.js';
import { LoginLimiter } from './lockout.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'portcullis-keys-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('server key', () => {
  it('is created once as a private PEM and reloaded unchanged', async () => {
    const first = await loadOrCreateServerKey(dir);
    expect(first.created).toBe(true);
    expect((await stat(serverKeyPath(dir))).mode & 0o777).toBe(0o600);
    expect(await readFile(serverKeyPath(dir), 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    const again = await loadOrCreateServerKey(dir);
    expect(again.created).toBe(false);
    expect(again.keyId).toBe(first.keyId);
    expect((await loadServerKey(dir)).keyId).toBe(first.keyId);
    const jwks = await serverJwks(first);
    expect(jwks.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', kid: first.keyId, alg: 'ES256' });
    expect(jwks.keys[0]!.d).toBeUndefined();
  });
  it('concurrent first starts agree on one key', async () => {
    const sub = join(dir, 'race');
    const keys = await Promise.all([loadOrCreateServerKey(sub), loadOrCreateServerKey(sub), loadOrCreateServerKey(sub)]);
    expect(new Set(keys.map((k) => k.keyId)).size).toBe(1);
  });
  it('refuses a key that is not P-256', async () => {
    const sub = join(dir, 'bad');
    const { generateKeyPairSync } = await import('node:crypto');
    const { privateKey } = generateKeyPairSync('ed25519');
    await loadOrCreateServerKey(sub);
    await writeFile(serverKeyPath(sub), privateKey.export({ type: 'pkcs8', format: 'pem' }));
    await expect(loadServerKey(sub)).rejects.toThrow(/P-256/);
  });
});

describe('LoginLimiter', () => {
  it('locks an account after N failures within the window, and unlocks after the lockout', () => {
    const l = new LoginLimiter({ maxAccountFailures: 3, maxSourceFailures: 100, windowMs: 1000, lockoutMs: 5000 });
    l.fail('bob', '1.1.1.1', 0);
    l.fail('bob', '1.1.1.1', 100);
    expect(l.check('bob', '1.1.1.1', 200).locked).toBe(false);
    l.fail('bob', '1.1.1.1', 300);
    expect(l.check('bob', '2.2.2.2', 400)).toEqual({ locked: true, retryAfterMs: 4900, scope: 'account' });
    expect(l.check('bob', null, 5301).locked).toBe(false);
  });
  it('forgets failures outside the sliding window', () => {
    const l = new LoginLimiter({ maxAccountFailures: 3, windowMs: 1000 });
    l.fail('amy', null, 0);
    l.fail('amy', null, 500);
    l.fail('amy', null, 1600);
    expect(l.check('amy', null, 1700).locked).toBe(false);
  });
  it('locks a source spraying many accounts', () => {
    const l = new LoginLimiter({ maxAccountFailures: 100, maxSourceFailures: 4 });
    for (let i = 0; i < 4; i++) l.fail(`user${i}`, '6.6.6.6', 10);
    expect(l.check('someone-else', '6.6.6.6', 20)).toMatchObject({ locked: true, scope: 'source' });
    expect(l.check('someone-else', '7.7.7.7', 20).locked).toBe(false);
  });
  it('clears account failures on success and stays bounded in keys', () => {
    const l = new LoginLimiter({ maxAccountFailures: 2, maxKeys: 10 });
    l.fail('x', null, 0);
    l.succeed('x');
    l.fail('x', null, 1);
    expect(l.check('x', null, 2).locked).toBe(false);
    for (let i = 0; i < 50; i++) l.fail(`k${i}`, null, 3);
    expect((l as unknown as { entries: Map<string, unknown> }).entries.size).toBeLessThanOrEqual(10);
  });
});
