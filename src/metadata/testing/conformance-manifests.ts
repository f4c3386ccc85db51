/** The manifest, tag and referrer part of the MetadataStore conformance suite. */
import { describe, expect, it } from 'vitest';
import type { ManifestInput, ManifestReference, MetadataStore } from '../store.js';
import { byteSorted, manifest, OCI_INDEX, OCI_MANIFEST, sha } from './fixtures.js';

export function manifestConformance(get: () => MetadataStore): void {
  describe('manifests and tags', () => {
    it('stores and returns every field, bytes exact', async () => {
      const store = get();
      const r = await store.ensureRepository('r');
      // A view into a larger buffer, with NUL and high bytes: stored exactly, not the whole backing buffer.
      const backing = new Uint8Array([9, 9, 0, 255, 1, 0, 128, 9]);
      const content = backing.subarray(2, 7);
      const m: ManifestInput = {
        digest: sha('exact'),
        mediaType: OCI_MANIFEST,
        artifactType: 'application/vnd.example+json',
        subject: sha('subject'),
        configDigest: sha('config'),
        annotations: { 'org.opencontainers.image.created': '2026-01-01T00:00:00Z', k: 'v' },
        content,
        references: [{ digest: sha('config'), kind: 'blob' }],
      };
      expect(await store.putManifest(r, m)).toEqual({});
      const got = await store.getManifest(r, m.digest);
      expect(got).toBeDefined();
      expect(got!.repositoryId).toBe(r);
      expect(got!.digest).toBe(m.digest);
      expect(got!.mediaType).toBe(OCI_MANIFEST);
      expect(got!.artifactType).toBe(m.artifactType);
      expect(got!.subject).toBe(m.subject);
      expect(got!.configDigest).toBe(m.configDigest);
      expect(got!.annotations).toEqual(m.annotations);
      expect(got!.size).toBe(5);
      expect(Buffer.isBuffer(got!.content)).toBe(true);
      expect([...got!.content]).toEqual([0, 255, 1, 0, 128]);
      expect(Math.abs(got!.createdAt.getTime() - Date.now())).toBeLessThan(60_000);

      const plain = manifest('plain');
      await store.putManifest(r, plain);
      const p = await store.getManifest(r, plain.digest);
      expect(p).toMatchObject({ artifactType: null, subject: null, configDigest: null, annotations: null });
      expect(await store.getManifest(r, sha('absent'))).toBeUndefined();
    });

    it('putManifest is idempotent', async () => {
      const store = get();
      const r = await store.ensureRepository('r');
      const child = manifest('child');
      await store.putManifest(r, child);
      const idx = manifest('index', { mediaType: OCI_INDEX, references: [{ digest: child.digest, kind: 'manifest' }] });
      await store.putManifest(r, idx, 'v1');
      expect(await store.putManifest(r, idx, 'v1')).toEqual({ previousTagDigest: idx.digest });
      await store.putManifest(r, idx);
      expect(await store.parentsOf(r, child.digest)).toEqual([idx.digest]);
      expect(await store.listTags(r)).toEqual(['v1']);
    });

    it('deduplicates repeated references', async () => {
      const store = get();
      const r = await store.ensureRepository('r');
      const child = manifest('c');
      await store.putManifest(r, child);
      const refs: ManifestReference[] = [
        { digest: child.digest, kind: 'manifest' },
        { digest: child.digest, kind: 'manifest' },
        { digest: sha('layer'), kind: 'blob' },
        { digest: sha('layer'), kind: 'blob' },
      ];
      const idx = manifest('i', { mediaType: OCI_INDEX, references: refs });
      await store.putManifest(r, idx);
      expect(await store.parentsOf(r, child.digest)).toEqual([idx.digest]);
    });

    it('tags move and report where they pointed', async () => {
      const store = get();
      const r = await store.ensureRepository('r');
      const [m1, m2] = [manifest('1'), manifest('2')];
      expect(await store.putManifest(r, m1, 'latest')).toEqual({});
      expect(await store.resolveTag(r, 'latest')).toBe(m1.digest);
      const before = (await store.tagsOf(r, m1.digest))[0]!;
      expect(before.name).toBe('latest');
      expect(before.digest).toBe(m1.digest);
      expect(before.updatedAt).toBeInstanceOf(Date);

      expect(await store.putManifest(r, m2, 'latest')).toEqual({ previousTagDigest: m1.digest });
      expect(await store.resolveTag(r, 'latest')).toBe(m2.digest);
      expect(await store.tagsOf(r, m1.digest)).toEqual([]);
      expect((await store.tagsOf(r, m2.digest)).map((t) => t.name)).toEqual(['latest']);
      expect(await store.getManifest(r, m1.digest)).toBeDefined();
      expect(await store.putManifest(r, m1, 'latest')).toEqual({ previousTagDigest: m2.digest });
      expect(await store.resolveTag(r, 'nope')).toBeUndefined();
    });

    it('getTaggedManifest resolves and fetches in one call', async () => {
      const store = get();
      const r = await store.ensureRepository('r');
      const m = manifest('t');
      await store.putManifest(r, m, 'v1');
      const got = await store.getTaggedManifest(r, 'v1');
      expect(got?.digest).toBe(m.digest);
      expect(got?.content.equals(Buffer.from(m.content))).toBe(true);
      expect(await store.getTaggedManifest(r, 'v2')).toBeUndefined();
      const other = await store.ensureRepository('other');
      expect(await store.getTaggedManifest(other, 'v1')).toBeUndefined();
    });

    it('tags and manifests are per repository', async () => {
      const store = get();
      const a = await store.ensureRepository('a');
      const b = await store.ensureRepository('b');
      const m = manifest('shared');
      await store.putManifest(a, m, 'latest');
      await store.putManifest(b, m, 'stable');
      expect(await store.resolveTag(a, 'stable')).toBeUndefined();
      expect(await store.deleteManifest(a, m.digest)).toBe(true);
      expect(await store.getManifest(a, m.digest)).toBeUndefined();
      expect(await store.getManifest(b, m.digest)).toBeDefined();
      expect(await store.resolveTag(b, 'stable')).toBe(m.digest);
      expect(await store.existingManifests(a, [m.digest])).toEqual(new Set());
      expect(await store.existingManifests(b, [m.digest])).toEqual(new Set([m.digest]));
    });

    it('deleteManifest removes all its tags and references', async () => {
      const store = get();
      const r = await store.ensureRepository('r');
      const child = manifest('child');
      await store.putManifest(r, child, 'child');
      const idx = manifest('idx', {
        mediaType: OCI_INDEX,
        references: [
          { digest: child.digest, kind: 'manifest' },
          { digest: sha('layer'), kind: 'blob' },
        ],
      });
      for (const t of ['a', 'b', 'c']) await store.putManifest(r, idx, t);
      await store.linkBlob(r, sha('layer'), 1);
      await store.unlinkBlob(r, sha('layer'));
      expect(await store.unreferencedBlobs(new Date(Date.now() + 60_000))).toEqual([]);

      expect(await store.deleteManifest(r, idx.digest)).toBe(true);
      expect(await store.deleteManifest(r, idx.digest)).toBe(false);
      expect(await store.listTags(r)).toEqual(['child']);
      expect(await store.tagsOf(r, idx.digest)).toEqual([]);
      expect(await store.parentsOf(r, child.digest)).toEqual([]);
      expect(await store.unreferencedBlobs(new Date(Date.now() + 60_000))).toEqual([sha('layer')]);
      expect(await store.deleteManifest(r, sha('never'))).toBe(false);
    });

    it('a failing putManifest leaves nothing behind', async () => {
      const store = get();
      const r = await store.ensureRepository('r');
      const bad = manifest('bad', { references: [{ digest: sha('x'), kind: 'bogus' as 'blob' }] });
      await expect(store.putManifest(r, bad, 'latest')).rejects.toThrow();
      expect(await store.getManifest(r, bad.digest)).toBeUndefined();
      expect(await store.resolveTag(r, 'latest')).toBeUndefined();
      // The store is still usable afterwards.
      await store.putManifest(r, manifest('good'), 'latest');
      expect(await store.listTags(r)).toEqual(['latest']);
    });

    it('existingManifests with no, unknown and many digests', async () => {
      const store = get();
      const r = await store.ensureRepository('r');
      expect(await store.existingManifests(r, [])).toEqual(new Set());
      const ms = Array.from({ length: 600 }, (_, i) => manifest(`m${i}`));
      for (const m of ms.slice(0, 550)) await store.putManifest(r, m);
      const got = await store.existingManifests(r, [...ms.map((m) => m.digest), sha('unknown')]);
      expect(got).toEqual(new Set(ms.slice(0, 550).map((m) => m.digest)));
    });

    it('parentsOf lists only manifest references in the same repository', async () => {
      const store = get();
      const r = await store.ensureRepository('r');
      const child = manifest('child');
      await store.putManifest(r, child);
      const i1 = manifest('i1', { mediaType: OCI_INDEX, references: [{ digest: child.digest, kind: 'manifest' }] });
      const i2 = manifest('i2', { mediaType: OCI_INDEX, references: [{ digest: child.digest, kind: 'manifest' }] });
      const asBlob = manifest('weird', { references: [{ digest: child.digest, kind: 'blob' }] });
      await store.putManifest(r, i1);
      await store.putManifest(r, i2);
      await store.putManifest(r, asBlob);
      const other = await store.ensureRepository('other');
      await store.putManifest(other, manifest('i3', { references: [{ digest: child.digest, kind: 'manifest' }] }));
      expect(await store.parentsOf(r, child.digest)).toEqual([i1.digest, i2.digest].sort());
      expect(await store.parentsOf(r, sha('none'))).toEqual([]);
    });

    it('lists tags in byte order with pagination boundaries', async () => {
      const store = get();
      const r = await store.ensureRepository('r');
      const names = ['v1', 'V1', 'latest', 'Latest', '1.0', '1.0.1', '1.0-rc', '1.0_rc', 'a.b', 'a-b', 'a_b', 'sha256-abc.sig'];
      const m = manifest('m');
      for (const t of names) await store.putManifest(r, m, t);
      const sorted = byteSorted(names);
      expect(await store.listTags(r)).toEqual(sorted);
      expect(await store.listTags(r, { n: 0 })).toEqual([]);
      expect(await store.listTags(r, { n: 100 })).toEqual(sorted);
      expect(await store.listTags(r, { n: sorted.length })).toEqual(sorted);
      expect(await store.listTags(r, { n: 5 })).toEqual(sorted.slice(0, 5));
      expect(await store.listTags(r, { last: sorted[4]! })).toEqual(sorted.slice(5));
      expect(await store.listTags(r, { last: sorted[4]!, n: 3 })).toEqual(sorted.slice(5, 8));
      expect(await store.listTags(r, { last: sorted.at(-1)! })).toEqual([]);
      expect(await store.listTags(r, { last: 'zzz', n: 10 })).toEqual([]);
      expect((await store.tagsOf(r, m.digest)).map((t) => t.name)).toEqual(sorted);
      const empty = await store.ensureRepository('empty');
      expect(await store.listTags(empty)).toEqual([]);
    });

    it('deleteTag removes only the tag', async () => {
      const store = get();
      const r = await store.ensureRepository('r');
      const m = manifest('m');
      await store.putManifest(r, m, 'a');
      await store.putManifest(r, m, 'b');
      expect(await store.deleteTag(r, 'a')).toBe(true);
      expect(await store.deleteTag(r, 'a')).toBe(false);
      expect(await store.listTags(r)).toEqual(['b']);
      expect(await store.getManifest(r, m.digest)).toBeDefined();
    });

    it('lists referrers by subject, optionally by artifactType', async () => {
      const store = get();
      const r = await store.ensureRepository('r');
      const subject = manifest('image');
      await store.putManifest(r, subject, 'latest');
      const sig = manifest('sig', {
        artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
        subject: subject.digest,
        annotations: { 'org.opencontainers.image.created': '2026-01-01T00:00:00Z' },
      });
      const sbom = manifest('sbom', { artifactType: 'application/vnd.cyclonedx+json', subject: subject.digest });
      const untyped = manifest('untyped', { subject: subject.digest });
      const unrelated = manifest('unrelated', { artifactType: 'application/vnd.cyclonedx+json', subject: sha('other') });
      for (const m of [sig, sbom, untyped, unrelated]) await store.putManifest(r, m);
      const other = await store.ensureRepository('other');
      await store.putManifest(other, manifest('elsewhere', { subject: subject.digest }));

      const all = await store.listReferrers(r, subject.digest);
      expect(all.map((x) => x.digest)).toEqual([sig.digest, sbom.digest, untyped.digest].sort());
      const s = all.find((x) => x.digest === sig.digest)!;
      expect(s).toEqual({
        digest: sig.digest,
        mediaType: OCI_MANIFEST,
        artifactType: sig.artifactType,
        size: sig.content.byteLength,
        annotations: sig.annotations,
      });
      expect(all.find((x) => x.digest === untyped.digest)).toMatchObject({ artifactType: null, annotations: null });

      const sboms = await store.listReferrers(r, subject.digest, 'application/vnd.cyclonedx+json');
      expect(sboms.map((x) => x.digest)).toEqual([sbom.digest]);
      expect(await store.listReferrers(r, subject.digest, 'application/none')).toEqual([]);
      expect(await store.listReferrers(r, sha('nothing'))).toEqual([]);

      await store.deleteManifest(r, sbom.digest);
      expect((await store.listReferrers(r, subject.digest)).map((x) => x.digest)).toEqual(
        [sig.digest, untyped.digest].sort(),
      );
    });

    it('concurrent putManifest of the same digest stores it once with every tag', async () => {
      const store = get();
      const r = await store.ensureRepository('r');
      const child = manifest('c');
      await store.putManifest(r, child);
      const idx = manifest('same', { mediaType: OCI_INDEX, references: [{ digest: child.digest, kind: 'manifest' }] });
      const tags = Array.from({ length: 12 }, (_, i) => `t${String(i).padStart(2, '0')}`);
      const results = await Promise.all(tags.map((t) => store.putManifest(r, idx, t)));
      expect(results.every((x) => x.previousTagDigest === undefined)).toBe(true);
      expect(await store.listTags(r)).toEqual(tags);
      expect(await store.parentsOf(r, child.digest)).toEqual([idx.digest]);
      expect(await store.existingManifests(r, [idx.digest])).toEqual(new Set([idx.digest]));
    });

    it('concurrent moves of one tag end on one of the digests', async () => {
      const store = get();
      const r = await store.ensureRepository('r');
      const ms = Array.from({ length: 8 }, (_, i) => manifest(`mv${i}`));
      const results = await Promise.all(ms.map((m) => store.putManifest(r, m, 'latest')));
      const final = await store.resolveTag(r, 'latest');
      // Each writer saw its true predecessor: one created the tag, the others form a chain.
      const previous = results.map((x) => x.previousTagDigest);
      expect(previous.filter((p) => p === undefined)).toHaveLength(1);
      const seen = previous.filter((p): p is string => p !== undefined);
      expect(new Set(seen).size).toBe(seen.length);
      expect([...seen, final].sort()).toEqual(ms.map((m) => m.digest).sort());
    });
  });
}
