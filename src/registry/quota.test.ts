import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RegistryError } from './errors.js';
import { projectOf } from './quota.js';
import { forEachDialect, sha, testClock, testRegistry } from './testing/dialects.js';

describe('projectOf', () => {
  it('is the first path component', () => {
    expect(projectOf('team/app/web')).toBe('team');
    expect(projectOf('alpine')).toBe('alpine');
  });
});

forEachDialect('project quotas', (dialect) => {
  let t: Awaited<ReturnType<typeof testRegistry>>;
  beforeEach(async () => {
    t = await testRegistry(dialect(), testClock());
  });
  afterEach(async () => {
    await t.close();
  });

  it('stores quotas (CRUD)', async () => {
    await t.registry.quotas.set('team', 100);
    await t.registry.quotas.set('team', 200);
    await t.registry.quotas.set('other', 5);
    expect((await t.registry.quotas.list()).map((q) => [q.project, q.limitBytes])).toEqual([
      ['other', 5],
      ['team', 200],
    ]);
    expect((await t.registry.quotas.get('team'))?.limitBytes).toBe(200);
    expect(await t.registry.quotas.remove('other')).toBe(true);
    expect(await t.registry.quotas.get('other')).toBeUndefined();
    await expect(t.registry.quotas.set('x', -1)).rejects.toThrow(/non-negative/);
  });

  it('usage counts distinct blobs of the project once, and not other projects', async () => {
    await t.blob('team/a', 'x'.repeat(10));
    await t.blob('team/b/c', 'x'.repeat(10));
    await t.blob('team', 'y'.repeat(7));
    await t.blob('teams/a', 'z'.repeat(100));
    expect(await t.registry.quotas.usage('team')).toBe(17);
    expect(await t.registry.quotas.usage('teams')).toBe(100);
    expect(await t.registry.quotas.usage('nobody')).toBe(0);
  });

  it('refuses an upload, a mount and a manifest PUT beyond the quota', async () => {
    await t.registry.quotas.set('team', 20);
    await t.blob('team/a', 'a'.repeat(15));
    const big = Buffer.from('b'.repeat(10));
    const err = await t.registry.putBlob('team/a', sha(big), Readable.from([big])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistryError);
    expect((err as RegistryError).code).toBe('DENIED');
    expect((err as RegistryError).message).toMatch(/^quota exceeded: used 15 of 20 bytes in project team/);
    expect(await t.blobs.stat(sha(big))).toBeUndefined();
    // A blob the project already holds costs nothing.
    await t.blob('team/other', 'a'.repeat(15));
    // Mount from another project: counted like an upload.
    await t.blob('free/src', big);
    await expect(t.registry.mountBlob('team/a', 'free/src', sha(big))).rejects.toThrow(/quota exceeded/);
    // Over quota after lowering it: a manifest PUT cannot complete an image.
    await t.registry.quotas.set('team', 10);
    await expect(t.image('team/a', 'v1', ['a'.repeat(15)])).rejects.toThrow(/quota exceeded: used \d+ of 10/);
    await t.registry.quotas.remove('team');
    await t.image('team/a', 'v1', ['a'.repeat(15)]);
  });
});
