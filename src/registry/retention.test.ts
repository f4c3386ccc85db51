import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LifecycleStore } from '../metadata/store.js';
import { PullRecorder } from './pulls.js';
import { cosignSubject, runRetention, startRetentionSchedule } from './retention.js';
import { forEachDialect, testClock, testRegistry } from './testing/dialects.js';

const DAY = 24 * 60 * 60 * 1000;

describe('pull recording', () => {
  it('writes at most once per manifest per throttle period', async () => {
    const writes: string[] = [];
    const meta = { recordPull: async (_r: number, d: string) => void writes.push(d) } as unknown as LifecycleStore;
    const clock = testClock();
    const p = new PullRecorder(meta, 60_000, clock.now);
    p.record(1, 'a');
    p.record(1, 'a');
    p.record(1, 'b');
    clock.advance(59_999);
    p.record(1, 'a');
    clock.advance(1);
    p.record(1, 'a');
    await Promise.resolve();
    expect(writes).toEqual(['a', 'b', 'a']);
  });

  it('recognises cosign tags', () => {
    expect(cosignSubject(`sha256-${'a'.repeat(64)}.sig`)).toBe(`sha256:${'a'.repeat(64)}`);
    expect(cosignSubject('v1.sig')).toBeUndefined();
  });
});

forEachDialect('retention', (dialect) => {
  let t: Awaited<ReturnType<typeof testRegistry>>;
  let clock: ReturnType<typeof testClock>;
  beforeEach(async () => {
    clock = testClock();
    t = await testRegistry(dialect(), clock);
  });
  afterEach(async () => {
    await t.close();
  });
  const run = (dryRun = false) => runRetention(t.registry, { dryRun, now: clock.now });
  const tags = async (repo: string) => t.registry.listTags(repo, {});

  it('validates and stores policies', async () => {
    const p = await t.registry.retentionPolicies.add({ repositoryPattern: 'p/*', tagPattern: 'v*', keepLast: 2 });
    expect(p).toMatchObject({ repositoryPattern: 'p/*', tagPattern: 'v*', keepLast: 2, untaggedDays: null, unpulledDays: null });
    await t.registry.retentionPolicies.add({ untaggedDays: 3 });
    expect((await t.registry.retentionPolicies.list()).map((x) => x.repositoryPattern)).toEqual(['p/*', '*']);
    expect(await t.registry.retentionPolicies.remove(p.id)).toBe(true);
    await expect(t.registry.retentionPolicies.add({ repositoryPattern: 'p/*' })).rejects.toThrow(/needs keepLast/);
    await expect(t.registry.retentionPolicies.add({ keepLast: 0 })).rejects.toThrow();
    await expect(t.registry.retentionPolicies.add({ keepLast: 1, bogus: 1 })).rejects.toThrow();
  });

  it('keeps the last N pushed; what goes takes its signatures along; dry run changes nothing', async () => {
    await t.registry.retentionPolicies.add({ repositoryPattern: 'p/*', tagPattern: 'v*', keepLast: 2 });
    const v1 = await t.image('p/app', 'v1', ['1']);
    clock.advance(1000);
    const v2 = await t.image('p/app', 'v2', ['2']);
    clock.advance(1000);
    const v3 = await t.image('p/app', 'v3', ['3']);
    await t.image('p/app', 'latest', ['3']);
    clock.advance(1000);
    const sig = await t.image('p/app', `sha256-${v1.slice(7)}.sig`, ['sig of v1']);
    const att = await t.image('p/app', 'att', ['attestation'], { subject: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: v1, size: 1 } });
    await t.registry.deleteManifest('p/app', 'att');
    const other = await t.image('q/app', 'v1', ['1']);

    const dry = await run(true);
    expect(dry.manifests.map((m) => [m.repository, m.digest, m.reason]).sort()).toEqual(
      [
        ['p/app', v1, 'keep-last'],
        ['p/app', sig, 'subject-deleted'],
        ['p/app', att, 'subject-deleted'],
      ].sort(),
    );
    expect(await tags('p/app')).toContain('v1');

    const real = await run();
    expect(real.manifests.map((m) => m.digest).sort()).toEqual(dry.manifests.map((m) => m.digest).sort());
    expect(real.errors).toEqual([]);
    expect(await tags('p/app')).toEqual(['latest', 'v2', 'v3']);
    expect(await t.meta.getManifest((await t.meta.getRepository('p/app'))!.id, att)).toBeUndefined();
    expect((await t.registry.getManifest('p/app', 'v2')).digest).toBe(v2);
    expect((await t.registry.getManifest('p/app', 'v3')).digest).toBe(v3);
    expect((await t.registry.getManifest('q/app', 'v1')).digest).toBe(other);
    expect((await run()).manifests).toEqual([]);
  });

  it('a tag over the limit whose manifest another tag keeps loses only the tag', async () => {
    await t.registry.retentionPolicies.add({ tagPattern: 'build-*', keepLast: 1 });
    const d = await t.image('p/app', 'build-1', ['x']);
    const m = await t.registry.getManifest('p/app', d);
    await t.registry.putManifest('p/app', 'stable', m.content, m.mediaType);
    clock.advance(1000);
    await t.image('p/app', 'build-2', ['y']);
    const r = await run();
    expect(r.manifests).toEqual([]);
    expect(r.tags.map((x) => [x.tag, x.digest])).toEqual([['build-1', d]]);
    expect(await tags('p/app')).toEqual(['build-2', 'stable']);
  });

  it('deletes untagged manifests after D days, but not index children', async () => {
    await t.registry.retentionPolicies.add({ untaggedDays: 2 });
    const loose = await t.image('p/app', 'tmp', ['loose']);
    await t.registry.deleteManifest('p/app', 'tmp');
    await t.image('p/app', 'kept', ['kept']);
    const child = await t.image('p/app', 'child-tmp', ['child']);
    const childManifest = await t.registry.getManifest('p/app', child);
    const index = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [{ mediaType: childManifest.mediaType, digest: child, size: childManifest.content.length, platform: { os: 'linux', architecture: 'amd64' } }],
    });
    await t.registry.putManifest('p/app', 'multi', Buffer.from(index), 'application/vnd.oci.image.index.v1+json');
    await t.registry.deleteManifest('p/app', 'child-tmp');
    await t.registry.immutability.add('*', 'frozen');
    await t.registry.putManifest('p/app', 'frozen', childManifest.content, childManifest.mediaType);
    clock.advance(DAY);
    expect((await run()).manifests).toEqual([]);
    clock.advance(DAY + 1);
    const r = await run();
    expect(r.manifests.map((m) => [m.digest, m.reason])).toEqual([[loose, 'untagged']]);
    expect(await tags('p/app')).toEqual(['frozen', 'kept', 'multi']);
    expect((await t.registry.getManifest('p/app', child)).digest).toBe(child);
  });

  it('deletes what has not been pulled in D days; pulls are recorded; immutable tags protect', async () => {
    await t.registry.retentionPolicies.add({ repositoryPattern: 'p/*', unpulledDays: 7 });
    await t.registry.immutability.add('p/*', 'pinned');
    const old = await t.image('p/app', 'old', ['old']);
    const used = await t.image('p/app', 'used', ['used']);
    const pinned = await t.image('p/app', 'pinned', ['pinned']);
    clock.advance(5 * DAY);
    await t.registry.getManifest('p/app', 'used');
    const repoId = (await t.meta.getRepository('p/app'))!.id;
    await expect.poll(async () => (await t.meta.retentionManifests(repoId)).find((m) => m.digest === used)?.lastPulledAt?.getTime()).toBe(clock.now());
    clock.advance(3 * DAY);
    const r = await run();
    expect(r.manifests.map((m) => [m.digest, m.reason])).toEqual([[old, 'not-pulled']]);
    expect(r.protected).toEqual([{ repository: 'p/app', digest: pinned, tag: 'pinned', policyId: expect.any(Number) as number }]);
    expect(await tags('p/app')).toEqual(['pinned', 'used']);
  });

  it('runs on a schedule', async () => {
    await t.registry.retentionPolicies.add({ untaggedDays: 1 });
    const d = await t.image('p/app', 'x', ['x']);
    await t.registry.deleteManifest('p/app', 'x');
    clock.advance(2 * DAY);
    const s = startRetentionSchedule(t.registry, { intervalMs: 60_000, now: clock.now });
    const r = await s.runNow();
    await s.stop();
    expect(r.manifests.map((m) => m.digest)).toEqual([d]);
  });
});
