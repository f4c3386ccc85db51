import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateServerKey } from './keys.js';
import { TokenService } from './tokens.js';

let dir: string;
let tokens: TokenService;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'portcullis-tokens-'));
  tokens = new TokenService({ key: await loadOrCreateServerKey(dir), issuer: 'iss', service: 'svc', accessTtlSeconds: 60 });
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

const actor = { kind: 'user' as const, id: 'u1', name: 'alice' };
const access = [{ type: 'repository', name: 'p/r', actions: ['pull'] }];

describe('TokenService', () => {
  it('round-trips an access token', async () => {
    const t0 = new Date('2026-01-01T00:00:00Z');
    const { token, expiresIn } = await tokens.issueAccessToken(actor, access, t0);
    expect(expiresIn).toBe(60);
    const v = await tokens.verifyAccessToken(token, new Date(t0.getTime() + 30_000));
    expect(v.actor).toEqual(actor);
    expect(v.access).toEqual(access);
  });
  it('refuses expired tokens (beyond the clock tolerance) and tokens not yet valid', async () => {
    const t0 = new Date('2026-01-01T00:00:00Z');
    const { token } = await tokens.issueAccessToken(actor, access, t0);
    await expect(tokens.verifyAccessToken(token, new Date(t0.getTime() + 60_000 + 31_000))).rejects.toThrow();
    await expect(tokens.verifyAccessToken(token, new Date(t0.getTime() - 31_000))).rejects.toThrow();
  });
  it('keeps access and refresh tokens apart', async () => {
    const refresh = await tokens.issueRefreshToken(actor, 3);
    await expect(tokens.verifyAccessToken(refresh)).rejects.toThrow();
    expect(await tokens.verifyRefreshToken(refresh)).toEqual({ actor, credentialVersion: 3 });
    const { token } = await tokens.issueAccessToken(actor, access);
    await expect(tokens.verifyRefreshToken(token)).rejects.toThrow();
  });
  it('refuses a token for another service', async () => {
    const other = new TokenService({ key: await loadOrCreateServerKey(dir), issuer: 'iss', service: 'elsewhere' });
    const { token } = await other.issueAccessToken(actor, access);
    await expect(tokens.verifyAccessToken(token)).rejects.toThrow();
  });
});
