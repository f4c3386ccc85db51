import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RegistryError } from './errors.js';
import { matchesPattern } from './patterns.js';
import type { ManifestPushContext } from './registry.js';
import { forEachDialect, testClock, testRegistry } from './testing/dialects.js';

async function code(p: Promise<unknown>): Promise<string | undefined> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  return err instanceof RegistryError ? `${err.code}: ${err.message}` : err === undefined ? undefined : err instanceof Error ? err.message : 'non-error thrown';
}

describe('patterns', () => {
  it('* matches any run of characters, the rest is literal', () => {
    expect(matchesPattern('*', 'anything/at/all')).toBe(true);
    expect(matchesPattern('team/*', 'team/a/b')).toBe(true);
    expect(matchesPattern('team/*', 'teams/a')).toBe(false);
    expect(matchesPattern('v*.*', 'v1.2')).toBe(true);
    expect(matchesPattern('v1.2', 'v1x2')).toBe(false);
    expect(matchesPattern('release-*', 'release-')).toBe(true);
  });
});

forEachDialect('tag immutability', (dialect) => {
  let t: Awaited<ReturnType<typeof testRegistry>>;
  const moves: Array<{ tag?: string; previousTagDigest?: string; tagMoved?: boolean }> = [];
  beforeEach(async () => {
    moves.length = 0;
    t = await testRegistry(dialect(), testClock(), {}, {
      manifestPut: (ctx: ManifestPushContext & { previousTagDigest?: string; tagMoved?: boolean }) => {
        moves.push({ tag: ctx.tag, previousTagDigest: ctx.previousTagDigest, tagMoved: ctx.tagMoved });
      },
    });
  });
  afterEach(async () => {
    await t.close();
  });

  it('stores rules (CRUD) and validates patterns', async () => {
    const a = await t.registry.immutability.add('prod/*', 'v*');
    const again = await t.registry.immutability.add('prod/*', 'v*');
    expect(again.id).toBe(a.id);
    const b = await t.registry.immutability.add('*', 'release');
    expect((await t.registry.immutability.list()).map((r) => [r.repositoryPattern, r.tagPattern])).toEqual([
      ['prod/*', 'v*'],
      ['*', 'release'],
    ]);
    expect(await t.registry.immutability.remove(b.id)).toBe(true);
    expect(await t.registry.immutability.remove(b.id)).toBe(false);
    expect(await t.registry.immutability.list()).toHaveLength(1);
    await expect(t.registry.immutability.add('bad pattern', '*')).rejects.toThrow(/invalid repository pattern/);
    await expect(t.registry.immutability.add('*', '')).rejects.toThrow(/invalid tag pattern/);
  });

  it('an immutable tag can be neither moved nor deleted; other tags can', async () => {
    await t.registry.immutability.add('prod/*', 'v*');
    const one = await t.image('prod/api', 'v1', ['a']);
    // Re-pushing the same digest is fine.
    expect(await t.image('prod/api', 'v1', ['a'])).toBe(one);
    expect(await code(t.image('prod/api', 'v1', ['b']))).toMatch(/^DENIED: tag prod\/api:v1 is immutable and cannot be overwritten/);
    expect((await t.registry.getManifest('prod/api', 'v1')).digest).toBe(one);
    expect(await code(t.registry.deleteManifest('prod/api', 'v1'))).toMatch(/^DENIED: .*cannot be deleted/);
    expect(await code(t.registry.deleteManifest('prod/api', one))).toMatch(/^DENIED: tag prod\/api:v1 is immutable/);
    // Not matching: movable and deletable.
    await t.image('prod/api', 'latest', ['a']);
    const two = await t.image('prod/api', 'latest', ['b']);
    expect((await t.registry.getManifest('prod/api', 'latest')).digest).toBe(two);
    await t.registry.deleteManifest('prod/api', 'latest');
    await t.image('dev/api', 'v1', ['a']);
    await t.image('dev/api', 'v1', ['b']);
  });

  it('the commit transaction refuses a concurrent move of an immutable tag', async () => {
    const repo = await t.meta.ensureRepository('prod/x');
    const m = (s: string) => ({ digest: `sha256:${s.repeat(64)}`, mediaType: 'application/json', content: Buffer.from(s), references: [] });
    await t.meta.putManifest(repo, m('a'), 'v1', { immutableTag: true });
    await expect(t.meta.putManifest(repo, m('b'), 'v1', { immutableTag: true })).rejects.toThrow(/immutable/);
    expect(await t.meta.resolveTag(repo, 'v1')).toBe(m('a').digest);
  });

  it('the manifestPut hook says where a tag was and whether it moved (for the audit)', async () => {
    const a = await t.image('p/app', 'latest', ['a']);
    await t.image('p/app', 'latest', ['a']);
    await t.image('p/app', 'latest', ['b']);
    expect(moves).toEqual([
      { tag: 'latest', previousTagDigest: undefined, tagMoved: undefined },
      { tag: 'latest', previousTagDigest: a, tagMoved: false },
      { tag: 'latest', previousTagDigest: a, tagMoved: true },
    ]);
  });
});
