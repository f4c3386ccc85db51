import { generateKeyPairSync } from 'node:crypto';
import type { Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { IdentityTables } from '../identity/schema.js';
import { IdentityStore } from '../identity/store.js';
import { testHasher } from '../identity/testdb.js';
import { generateKeyPair, publicKeyPem } from '../signing/keys.js';
import { metadataDatabases, type Dialect } from '../testing/databases.js';
import { PolicyStoreError } from './errors.js';
import { DEFAULT_POLICY, validatePolicy } from './parse.js';
import { PolicyStore } from './store.js';
import { TrustedKeyStore } from './trusted-keys.js';

const database = metadataDatabases('policy');

async function open(dialect: Dialect) {
  const meta = await database(dialect);
  const identity = new IdentityStore(meta.database.db as unknown as Kysely<IdentityTables>, testHasher());
  return { db: meta.database.db, identity };
}

const strict = validatePolicy({ version: 1, push: { vulnerabilities: { severity: 'HIGH' } } });
const stricter = validatePolicy({ version: 1, mode: 'enforce', push: { vulnerabilities: { severity: 'MEDIUM' }, secrets: {} } });
const configured = validatePolicy({ version: 1, mode: 'warn' });

describe.each(['sqlite', 'postgres'] as const)('policy store on %s', (dialect) => {
  it('versions every set per project, keeps each version and falls back to the system policy', async () => {
    const { db, identity } = await open(dialect);
    const team = await identity.createProject({ name: 'team' });
    const other = await identity.createProject({ name: 'other' });
    const store = new PolicyStore(db, configured);
    const scope = { kind: 'project', projectId: team.id } as const;

    expect(await store.get(scope)).toBeUndefined();
    expect(await store.effectivePolicy(team.id)).toEqual({ origin: 'default', policy: configured });

    const v1 = await store.set(scope, strict, 'alice', 'version: 1 # first\n');
    const v2 = await store.set(scope, stricter, 'bob');
    expect([v1.version, v2.version]).toEqual([1, 2]);
    expect((await store.get(scope))?.policy).toEqual(stricter);
    expect(await store.getVersion(scope, 1)).toMatchObject({ version: 1, author: 'alice', policy: strict, source: 'version: 1 # first\n' });
    expect((await store.getVersion(scope, 2))?.source).toBeUndefined();
    expect(await store.getVersion(scope, 3)).toBeUndefined();
    expect((await store.history(scope)).map((h) => [h.version, h.author])).toEqual([[2, 'bob'], [1, 'alice']]);
    expect((await store.history(scope))[0]?.createdAt).toBeInstanceOf(Date);

    const eff = await store.effectivePolicy(team.id);
    expect(eff.origin).toBe('project');
    expect(eff.policy).toEqual(stricter);
    // Another project inherits the system policy; a stored system policy overrides the configured default.
    expect((await store.effectivePolicy(other.id)).origin).toBe('default');
    await store.set({ kind: 'system' }, strict, 'admin');
    expect(await store.effectivePolicy(other.id)).toMatchObject({ origin: 'system', version: 1, policy: strict });
    expect((await store.systemPolicy()).policy).toEqual(strict);
    // Versions are numbered per scope.
    expect((await store.set({ kind: 'project', projectId: other.id }, strict, 'carol')).version).toBe(1);
  });

  it('numbers concurrent sets without gaps or duplicates', async () => {
    const { db, identity } = await open(dialect);
    const p = await identity.createProject({ name: 'busy' });
    const store = new PolicyStore(db);
    const scope = { kind: 'project', projectId: p.id } as const;
    const made = await Promise.all([1, 2, 3, 4].map((i) => store.set(scope, strict, `u${i}`)));
    expect(made.map((m) => m.version).sort()).toEqual([1, 2, 3, 4]);
    expect((await store.history(scope)).map((h) => h.version)).toEqual([4, 3, 2, 1]);
    expect((await store.systemPolicy()).policy).toEqual(DEFAULT_POLICY);
  });

  it('keeps trusted keys per project, validated as ECDSA P-256, and drops them with the project', async () => {
    const { db, identity } = await open(dialect);
    const team = await identity.createProject({ name: 'team' });
    const other = await identity.createProject({ name: 'other' });
    const keys = new TrustedKeyStore(db);
    const policies = new PolicyStore(db);
    const pem = publicKeyPem(generateKeyPair().publicKey);

    const added = await keys.add(team.id, { name: 'release', publicKey: pem, addedBy: 'alice' });
    expect(added.keyId).toMatch(/^[0-9a-f]{64}$/);
    expect(added.publicKey).toBe(pem);
    await keys.add(team.id, { name: 'ci', publicKey: publicKeyPem(generateKeyPair().publicKey), addedBy: 'alice' });
    await expect(keys.add(team.id, { name: 'release', publicKey: pem, addedBy: 'bob' })).rejects.toMatchObject({ code: 'CONFLICT', field: 'name' });
    // The same name in another project is another key.
    await keys.add(other.id, { name: 'release', publicKey: pem, addedBy: 'carol' });
    expect((await keys.list(team.id)).map((k) => k.name)).toEqual(['ci', 'release']);
    const ready = await keys.verificationKeys(team.id);
    expect(ready.map((k) => [k.name, k.key.asymmetricKeyType])).toEqual([['ci', 'ec'], ['release', 'ec']]);
    expect(ready[1]!.id).toBe(added.keyId);

    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    await expect(keys.add(team.id, { name: 'rsa', publicKey: rsa, addedBy: 'a' })).rejects.toMatchObject({ code: 'INVALID', field: 'key', message: expect.stringMatching(/P-256.*rsa/) });
    await expect(keys.add(team.id, { name: 'p384', publicKey: p384, addedBy: 'a' })).rejects.toMatchObject({ code: 'INVALID', field: 'key' });
    await expect(keys.add(team.id, { name: 'junk', publicKey: 'not a key', addedBy: 'a' })).rejects.toBeInstanceOf(PolicyStoreError);
    await expect(keys.add(team.id, { name: '../x', publicKey: pem, addedBy: 'a' })).rejects.toMatchObject({ code: 'INVALID', field: 'name' });

    await keys.remove(team.id, 'ci');
    await expect(keys.remove(team.id, 'ci')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await keys.list(team.id)).map((k) => k.name)).toEqual(['release']);

    await policies.set({ kind: 'project', projectId: team.id }, strict, 'alice');
    await identity.deleteProject('team');
    expect(await keys.list(team.id)).toEqual([]);
    expect(await policies.history({ kind: 'project', projectId: team.id })).toEqual([]);
    expect((await keys.list(other.id)).map((k) => k.name)).toEqual(['release']);
  });
});
