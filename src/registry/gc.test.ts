import { Readable } from 'node:stream';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { RegistryError } from './errors.js';
import { collectGarbage, startGcSchedule } from './gc.js';
import { forEachDialect, sha, testClock, testRegistry } from './testing/dialects.js';

const GRACE = 60_000;

forEachDialect('garbage collection', (dialect) => {
  let t: Awaited<ReturnType<typeof testRegistry>>;
  let clock: ReturnType<typeof testClock>;
  beforeEach(async () => {
    clock = testClock();
    t = await testRegistry(dialect(), clock, { blobDeletingWaitMs: 5000 });
  });
  afterEach(async () => {
    await t.close();
  });
  const gc = (dryRun = false) => collectGarbage(t, { graceMs: GRACE, now: clock.now, dryRun });

  it('keeps fresh and referenced blobs; removes dangling links and unreferenced blobs after the grace period', async () => {
    const kept = await t.image('team/app', 'v1', ['layer-a']);
    const orphan = await t.blob('team/app', 'abandoned push');
    const gone = await t.image('team/app', 'v2', ['layer-b']);
    await t.registry.deleteManifest('team/app', gone);

    expect(await gc()).toMatchObject({ links: [], blobs: [] });
    clock.advance(GRACE + 1);

    const dry = await gc(true);
    expect(dry.dryRun).toBe(true);
    const layerB = sha('layer-b');
    expect(dry.blobs.map((b) => b.digest)).toEqual(expect.arrayContaining([orphan, layerB]));
    expect(dry.links.map((l) => l.repository)).toEqual(['team/app', 'team/app', 'team/app']);
    expect(await t.blobs.stat(orphan)).toBe('abandoned push'.length);

    const real = await gc();
    expect(real.blobs.map((b) => b.digest).sort()).toEqual(dry.blobs.map((b) => b.digest).sort());
    expect(real.bytesFreed).toBe(dry.bytesFreed);
    expect(real.bytesFreed).toBeGreaterThan(0);
    expect(await t.blobs.stat(orphan)).toBeUndefined();
    expect(await t.blobs.stat(layerB)).toBeUndefined();
    expect(await t.meta.blobInfo(layerB)).toBeUndefined();
    // The kept image is whole.
    expect((await t.registry.getManifest('team/app', 'v1')).digest).toBe(kept);
    expect(await t.registry.statBlob('team/app', sha('layer-a'))).toBe('layer-a'.length);
    expect(await gc()).toMatchObject({ links: [], blobs: [] });
  });

  it('a blob shared with another repository survives the unlinking in one of them', async () => {
    await t.image('p/one', 'v1', ['shared']);
    const d = await t.image('p/two', 'v1', ['shared']);
    await t.registry.deleteManifest('p/two', d);
    clock.advance(GRACE + 1);
    const r = await gc();
    expect(r.links.some((l) => l.repository === 'p/two' && l.digest === sha('shared'))).toBe(true);
    expect(r.blobs.map((b) => b.digest)).not.toContain(sha('shared'));
    expect(await t.blobs.stat(sha('shared'))).toBe(6);
  });

  it('a manifest PUT refreshes the links it uses, so GC cannot take them from under it', async () => {
    const layer = await t.blob('p/app', 'layer');
    const config = await t.blob('p/app', '{}');
    clock.advance(GRACE + 1);
    // The PUT's touch happens first: the links are young again.
    const repoId = (await t.meta.getRepository('p/app'))!.id;
    expect(await t.meta.touchLinks(repoId, [layer, config])).toEqual(new Set([layer, config]));
    expect(await gc()).toMatchObject({ links: [], blobs: [] });
    // A link GC removed before the PUT makes the PUT fail cleanly.
    clock.advance(GRACE + 1);
    expect((await gc()).links).toHaveLength(2);
    const doc = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config, size: 2 },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: layer, size: 5 }],
    });
    const err = await t.registry.putManifest('p/app', 'v1', Buffer.from(doc), undefined).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistryError);
    expect((err as RegistryError).code).toBe('MANIFEST_BLOB_UNKNOWN');
    expect(await t.meta.resolveTag(repoId, 'v1')).toBeUndefined();
  });

  it('the commit transaction itself refuses links that vanished after the first check', async () => {
    const layer = await t.blob('p/app', 'layer');
    const id = (await t.meta.getRepository('p/app'))!.id;
    await t.meta.unlinkBlob(id, layer);
    const m = { digest: sha('m'), mediaType: 'application/json', content: Buffer.from('m'), references: [{ digest: layer, kind: 'blob' as const }] };
    await expect(t.meta.putManifest(id, m, 'v1', { requireBlobLinks: true })).rejects.toThrow(/not linked/);
    expect(await t.meta.getManifest(id, m.digest)).toBeUndefined();
  });

  it('an upload of a digest GC is deleting waits, then writes the blob again', async () => {
    const data = Buffer.from('re-pushed layer');
    const digest = await t.blob('p/app', data);
    await t.registry.deleteBlob('p/app', digest);
    clock.advance(GRACE + 1);
    expect(await t.meta.markBlobDeleting(digest, new Date(clock.now() - GRACE))).toBe(true);
    // A mount does not wait: it answers "not mounted" and the client uploads.
    await t.blob('p/other', 'x');
    expect(await t.registry.mountBlob('p/other', 'p/app', digest)).toBe(false);

    let done = false;
    const upload = t.registry.putBlob('p/app', digest, Readable.from([data])).then((n) => {
      done = true;
      return n;
    });
    await new Promise((r) => setTimeout(r, 100));
    expect(done).toBe(false);
    // GC finishes: bytes, then row.
    await t.blobs.delete(digest);
    expect(await t.meta.finishBlobDeletion(digest)).toBe(true);
    expect(await upload).toBe(data.length);
    expect(await t.blobs.stat(digest)).toBe(data.length);
    expect(await t.meta.blobInfo(digest)).toEqual({ size: data.length, state: 'live' });
    expect(await t.registry.statBlob('p/app', digest)).toBe(data.length);
  });

  it('a re-upload touches the blob, so GC skips marking it', async () => {
    const data = Buffer.from('touched');
    const digest = await t.blob('p/app', data);
    await t.registry.deleteBlob('p/app', digest);
    clock.advance(GRACE + 1);
    await t.registry.putBlob('p/other', digest, Readable.from([data]));
    const r = await gc();
    expect(r.blobs).toEqual([]);
    expect(await t.meta.markBlobDeleting(digest, new Date(clock.now() - GRACE))).toBe(false);
  });

  it('finishes deletions a crashed GC left behind', async () => {
    const digest = await t.blob('p/app', 'crash');
    await t.registry.deleteBlob('p/app', digest);
    clock.advance(GRACE + 1);
    expect(await t.meta.markBlobDeleting(digest, new Date(clock.now() - GRACE))).toBe(true);
    clock.advance(11 * 60_000);
    const r = await gc();
    expect(r.blobs.map((b) => b.digest)).toEqual([digest]);
    expect(await t.blobs.stat(digest)).toBeUndefined();
  });

  it('runs on a schedule and on demand', async () => {
    const digest = await t.blob('p/app', 'scheduled');
    await t.registry.deleteBlob('p/app', digest);
    clock.advance(GRACE + 1);
    const reports: number[] = [];
    const s = startGcSchedule(t, { intervalMs: 60_000, graceMs: GRACE, now: clock.now, onReport: (r) => reports.push(r.blobs.length) });
    const r = await s.runNow();
    await s.stop();
    expect(r.blobs.map((b) => b.digest)).toEqual([digest]);
    expect(reports).toEqual([1]);
  });
});
