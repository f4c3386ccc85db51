/** The lifecycle part of the MetadataStore conformance suite: GC's conditional writes, retention reads, rules. */
import { describe, expect, it } from 'vitest';
import type { MetadataStore } from '../store.js';
import { manifest, sha } from './fixtures.js';

export function lifecycleConformance(get: () => MetadataStore): void {
  const FUTURE = (): Date => new Date(Date.now() + 60_000);
  const PAST = new Date(0);

  describe('lifecycle', () => {
    it('claimBlob creates or touches a live blob and refuses a deleting one', async () => {
      const store = get();
      expect(await store.claimBlob(sha('c'), 3)).toBe(true);
      expect(await store.blobInfo(sha('c'))).toEqual({ size: 3, state: 'live' });
      expect(await store.claimBlob(sha('c'), 3)).toBe(true);
      // A fresh touch protects it from a cutoff in the past.
      expect(await store.markBlobDeleting(sha('c'), PAST)).toBe(false);
      expect(await store.markBlobDeleting(sha('c'), FUTURE())).toBe(true);
      expect(await store.blobInfo(sha('c'))).toEqual({ size: 3, state: 'deleting' });
      expect(await store.claimBlob(sha('c'), 3)).toBe(false);
      const r = await store.ensureRepository('r');
      await expect(store.linkBlob(r, sha('c'), 3)).rejects.toThrow(/garbage-collected/);
      expect(await store.unreferencedBlobs(FUTURE())).toEqual([]);
      expect(await store.deletingBlobs(FUTURE())).toEqual([sha('c')]);
      expect(await store.deletingBlobs(PAST)).toEqual([]);
      expect(await store.finishBlobDeletion(sha('c'))).toBe(true);
      expect(await store.finishBlobDeletion(sha('c'))).toBe(false);
      expect(await store.blobInfo(sha('c'))).toBeUndefined();
      expect(await store.claimBlob(sha('c'), 3)).toBe(true);
    });

    it('markBlobDeleting re-checks links and references', async () => {
      const store = get();
      const r = await store.ensureRepository('r');
      await store.linkBlob(r, sha('linked'), 1);
      expect(await store.markBlobDeleting(sha('linked'), FUTURE())).toBe(false);
      await store.linkBlob(r, sha('ref'), 1);
      await store.putManifest(r, manifest('m', { references: [{ digest: sha('ref'), kind: 'blob' }] }));
      await store.unlinkBlob(r, sha('ref'));
      expect(await store.markBlobDeleting(sha('ref'), FUTURE())).toBe(false);
      expect(await store.blobUsage([sha('ref'), sha('linked'), sha('none')])).toEqual(
        new Map([
          [sha('ref'), { links: 0, references: 1 }],
          [sha('linked'), { links: 1, references: 0 }],
          [sha('none'), { links: 0, references: 0 }],
        ]),
      );
    });

    it('removeDanglingLink needs an old link that no manifest of its repository references; touchLinks refreshes', async () => {
      const store = get();
      const r = await store.ensureRepository('r');
      await store.linkBlob(r, sha('a'), 1);
      await store.linkBlob(r, sha('b'), 1);
      await store.putManifest(r, manifest('m', { references: [{ digest: sha('b'), kind: 'blob' }] }));
      expect(await store.removeDanglingLink(r, sha('a'), PAST)).toBe(false);
      expect(await store.removeDanglingLink(r, sha('b'), FUTURE())).toBe(false);
      expect(await store.touchLinks(r, [sha('a'), sha('b'), sha('zz')])).toEqual(new Set([sha('a'), sha('b')]));
      expect(await store.removeDanglingLink(r, sha('a'), FUTURE())).toBe(true);
      expect(await store.linkedBlobs(r, [sha('a'), sha('b')])).toEqual(new Set([sha('b')]));
    });

    it('project usage and membership count distinct blobs under the project prefix only', async () => {
      const store = get();
      for (const [repo, d, size] of [['a', 'x', 10], ['a/b', 'x', 10], ['a/c/d', 'y', 5], ['ab', 'z', 100], ['a_', 'w', 1000]] as const) {
        await store.linkBlob(await store.ensureRepository(repo), sha(d), size);
      }
      expect(await store.projectUsage('a')).toBe(15);
      expect(await store.projectUsage('ab')).toBe(100);
      expect(await store.projectUsage('none')).toBe(0);
      expect(await store.projectHasBlob('a', sha('y'))).toBe(true);
      expect(await store.projectHasBlob('a', sha('z'))).toBe(false);
    });

    it('retention reads: tags, parents, pull times; conditional tag delete', async () => {
      const store = get();
      const r = await store.ensureRepository('r');
      const child = manifest('child');
      const index = manifest('index', { references: [{ digest: child.digest, kind: 'manifest' }] });
      await store.putManifest(r, child);
      await store.putManifest(r, index, 'v1');
      await store.putManifest(r, index, 'v2');
      await store.recordPull(r, index.digest, new Date(12345));
      const rows = await store.retentionManifests(r);
      const byDigest = new Map(rows.map((m) => [m.digest, m]));
      expect(byDigest.get(child.digest)).toMatchObject({ hasParent: true, tags: [], lastPulledAt: null, subject: null });
      expect(byDigest.get(index.digest)?.hasParent).toBe(false);
      expect(byDigest.get(index.digest)?.lastPulledAt?.getTime()).toBe(12345);
      expect(byDigest.get(index.digest)?.tags.map((t) => t.name)).toEqual(['v1', 'v2']);
      expect(await store.deleteTag(r, 'v1', child.digest)).toBe(false);
      expect(await store.deleteTag(r, 'v1', index.digest)).toBe(true);
      expect((await store.allRepositories()).map((x) => x.name)).toEqual(['r']);
    });

    it('stores immutability rules, retention policies and quotas', async () => {
      const store = get();
      const rule = await store.addImmutableTagRule('p/*', 'v*');
      expect(await store.listImmutableTagRules()).toEqual([rule]);
      expect(await store.deleteImmutableTagRule(rule.id)).toBe(true);
      const p = await store.addRetentionPolicy({ repositoryPattern: '*', tagPattern: '*', keepLast: 3 });
      expect(await store.listRetentionPolicies()).toEqual([p]);
      expect(p).toMatchObject({ keepLast: 3, untaggedDays: null, unpulledDays: null });
      expect(await store.deleteRetentionPolicy(p.id)).toBe(true);
      await store.setQuota('p', 2 ** 40);
      expect((await store.getQuota('p'))?.limitBytes).toBe(2 ** 40);
      expect((await store.listQuotas()).map((q) => q.project)).toEqual(['p']);
      expect(await store.deleteQuota('p')).toBe(true);
    });
  });
}
