/**
 * The conformance suite every MetadataStore runs (SQLite and PostgreSQL): same inputs,
 * same answers, byte-for-byte the same ordering.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MetadataStore } from '../store.js';
import { lifecycleConformance } from './conformance-lifecycle.js';
import { manifestConformance } from './conformance-manifests.js';
import { byteSorted, manifest, ODD_NAMES, sha } from './fixtures.js';

export { sha } from './fixtures.js';

export function metadataConformance(name: string, factory: () => Promise<MetadataStore>): void {
  describe(`MetadataStore conformance: ${name}`, () => {
    let store: MetadataStore;
    const FUTURE = (): Date => new Date(Date.now() + 60_000);
    const PAST = new Date(0);

    beforeEach(async () => {
      store = await factory();
      await store.migrate();
    });
    afterEach(async () => {
      await store.close();
    });

    async function repoWithManifest(repo: string, seed = repo): Promise<{ id: number; digest: string }> {
      const id = await store.ensureRepository(repo);
      const m = manifest(seed);
      await store.putManifest(id, m);
      return { id, digest: m.digest };
    }

    describe('migrations and repositories', () => {
      it('migrate is idempotent', async () => {
        await store.migrate();
        await store.migrate();
        expect(await store.listRepositories()).toEqual([]);
      });

      it('ensureRepository creates once and returns the same id', async () => {
        const a = await store.ensureRepository('library/alpine');
        const b = await store.ensureRepository('library/alpine');
        const c = await store.ensureRepository('library/debian');
        expect(a).toBe(b);
        expect(c).not.toBe(a);
        const row = await store.getRepository('library/alpine');
        expect(row?.id).toBe(a);
        expect(row?.name).toBe('library/alpine');
        expect(row?.createdAt).toBeInstanceOf(Date);
        expect(Math.abs(row!.createdAt.getTime() - Date.now())).toBeLessThan(60_000);
        expect(await store.getRepository('nope')).toBeUndefined();
      });

      it('concurrent ensureRepository of one name yields one id', async () => {
        const ids = await Promise.all(Array.from({ length: 8 }, () => store.ensureRepository('race/repo')));
        expect(new Set(ids).size).toBe(1);
      });

      it('lists only repositories holding a manifest or a blob', async () => {
        await store.ensureRepository('empty');
        await repoWithManifest('with-manifest');
        const blobRepo = await store.ensureRepository('with-blob');
        await store.linkBlob(blobRepo, sha('layer'), 5);
        expect(await store.listRepositories()).toEqual(['with-blob', 'with-manifest']);
      });

      it('orders repositories by bytes and paginates with last/n', async () => {
        for (const n of ODD_NAMES) await repoWithManifest(n);
        const sorted = byteSorted(ODD_NAMES);
        expect(await store.listRepositories()).toEqual(sorted);
        expect(await store.listRepositories({ n: 0 })).toEqual([]);
        expect(await store.listRepositories({ n: 1000 })).toEqual(sorted);
        expect(await store.listRepositories({ n: 3 })).toEqual(sorted.slice(0, 3));
        expect(await store.listRepositories({ last: sorted[2]!, n: 2 })).toEqual(sorted.slice(3, 5));
        expect(await store.listRepositories({ last: sorted.at(-1)! })).toEqual([]);
        expect(await store.listRepositories({ last: '~~~~' })).toEqual([]);
        expect(await store.listRepositories({ last: '' })).toEqual(sorted);
        // A `last` that is not itself a repository still works as a bound.
        expect(await store.listRepositories({ last: 'a+' })).toEqual(sorted.filter((s) => s > 'a+'));
        const walked: string[] = [];
        let last: string | undefined;
        for (;;) {
          const page = await store.listRepositories({ n: 4, ...(last === undefined ? {} : { last }) });
          walked.push(...page);
          if (page.length < 4) break;
          last = page.at(-1);
        }
        expect(walked).toEqual(sorted);
      });

      it('rejects a negative page size', async () => {
        await expect(store.listRepositories({ n: -1 })).rejects.toThrow(/page size/);
      });

      it('deleteRepository removes everything in it', async () => {
        const { id, digest } = await repoWithManifest('doomed');
        await store.putManifest(id, manifest('doomed'), 'latest');
        await store.linkBlob(id, sha('l1'), 3);
        await store.createUpload({ id: 'u-doomed', repositoryId: id, startedAt: new Date() });
        const other = await repoWithManifest('kept');

        expect(await store.deleteRepository('doomed')).toBe(true);
        expect(await store.deleteRepository('doomed')).toBe(false);
        expect(await store.getRepository('doomed')).toBeUndefined();
        expect(await store.getManifest(id, digest)).toBeUndefined();
        expect(await store.resolveTag(id, 'latest')).toBeUndefined();
        expect(await store.linkedBlobSize(id, sha('l1'))).toBeUndefined();
        expect(await store.getUpload('u-doomed')).toBeUndefined();
        expect(await store.listRepositories()).toEqual(['kept']);
        expect(await store.getManifest(other.id, other.digest)).toBeDefined();

        const again = await store.ensureRepository('doomed');
        expect(again).not.toBe(id);
        expect(await store.listTags(again)).toEqual([]);
      });
    });

    describe('blobs', () => {
      it('links idempotently and reports the size', async () => {
        const r = await store.ensureRepository('r');
        const d = sha('blob');
        await store.linkBlob(r, d, 1234);
        await store.linkBlob(r, d, 1234);
        expect(await store.linkedBlobSize(r, d)).toBe(1234);
        const r2 = await store.ensureRepository('r2');
        expect(await store.linkedBlobSize(r2, d)).toBeUndefined();
        expect(await store.unlinkBlob(r, d)).toBe(true);
        expect(await store.unlinkBlob(r, d)).toBe(false);
        expect(await store.linkedBlobSize(r, d)).toBeUndefined();
      });

      it('keeps sizes above 2^32', async () => {
        const r = await store.ensureRepository('big');
        await store.linkBlob(r, sha('huge'), 2 ** 40 + 7);
        expect(await store.linkedBlobSize(r, sha('huge'))).toBe(2 ** 40 + 7);
      });

      it('linkedBlobs answers for a set of digests, including none and many', async () => {
        const r = await store.ensureRepository('r');
        expect(await store.linkedBlobs(r, [])).toEqual(new Set());
        const linked = Array.from({ length: 1200 }, (_, i) => sha(`b${i}`));
        for (const d of linked.slice(0, 700)) await store.linkBlob(r, d, 1);
        const asked = [...linked, sha('unknown'), linked[0]!];
        const got = await store.linkedBlobs(r, asked);
        expect(got).toEqual(new Set(linked.slice(0, 700)));
        const other = await store.ensureRepository('other');
        expect(await store.linkedBlobs(other, linked)).toEqual(new Set());
      });

      it('unreferencedBlobs: neither linked nor referenced, and older than the cutoff', async () => {
        const r = await store.ensureRepository('r');
        const [linked, referenced, orphan] = [sha('linked'), sha('referenced'), sha('orphan')];
        await store.linkBlob(r, linked, 1);
        await store.linkBlob(r, referenced, 1);
        await store.linkBlob(r, orphan, 1);
        await store.putManifest(r, manifest('m', { references: [{ digest: referenced, kind: 'blob' }] }));
        await store.unlinkBlob(r, referenced);
        await store.unlinkBlob(r, orphan);

        expect(await store.unreferencedBlobs(FUTURE())).toEqual([orphan]);
        expect(await store.unreferencedBlobs(PAST)).toEqual([]);
        expect(await store.unreferencedBlobs(FUTURE(), 0)).toEqual([]);

        await store.forgetBlob(orphan);
        expect(await store.unreferencedBlobs(FUTURE())).toEqual([]);
        // Still linked elsewhere: not a candidate.
        const r2 = await store.ensureRepository('r2');
        await store.linkBlob(r2, orphan, 1);
        await store.linkBlob(r2, sha('x'), 1);
        await store.unlinkBlob(r2, sha('x'));
        expect(await store.unreferencedBlobs(FUTURE())).toEqual([sha('x')]);
      });

      it('unreferencedBlobs honours the limit, in digest order', async () => {
        const r = await store.ensureRepository('r');
        const ds = ['1', '2', '3', '4'].map(sha);
        for (const d of ds) {
          await store.linkBlob(r, d, 1);
          await store.unlinkBlob(r, d);
        }
        expect(await store.unreferencedBlobs(FUTURE(), 2)).toEqual([...ds].sort().slice(0, 2));
      });

      it('forgetBlob removes the blob and all its links', async () => {
        const a = await store.ensureRepository('a');
        const b = await store.ensureRepository('b');
        const d = sha('shared');
        await store.linkBlob(a, d, 9);
        await store.linkBlob(b, d, 9);
        await store.forgetBlob(d);
        expect(await store.linkedBlobSize(a, d)).toBeUndefined();
        expect(await store.linkedBlobSize(b, d)).toBeUndefined();
        await store.forgetBlob(d);
      });

      it('danglingLinks: links no manifest of the same repository references', async () => {
        const a = await store.ensureRepository('a');
        const b = await store.ensureRepository('b');
        const [used, unused] = [sha('used'), sha('unused')];
        for (const r of [a, b]) {
          await store.linkBlob(r, used, 1);
          await store.linkBlob(r, unused, 1);
        }
        await store.putManifest(a, manifest('m', { references: [{ digest: used, kind: 'blob' }] }));
        const dangling = await store.danglingLinks(FUTURE());
        expect(dangling).toEqual(
          [
            { repositoryId: a, digest: unused },
            { repositoryId: b, digest: unused },
            { repositoryId: b, digest: used },
          ].sort((x, y) => x.repositoryId - y.repositoryId || (x.digest < y.digest ? -1 : 1)),
        );
        expect(await store.danglingLinks(PAST)).toEqual([]);
        expect(await store.danglingLinks(FUTURE(), 1)).toHaveLength(1);
      });
    });

    describe('uploads', () => {
      it('creates, touches, finds stale ones and deletes', async () => {
        const r = await store.ensureRepository('r');
        const t0 = new Date('2026-01-01T00:00:00Z');
        await store.createUpload({ id: 'old', repositoryId: r, startedAt: t0 });
        await store.createUpload({ id: 'fresh', repositoryId: r, startedAt: t0 });
        const got = await store.getUpload('old');
        expect(got).toEqual({ id: 'old', repositoryId: r, startedAt: t0, updatedAt: t0 });
        const t1 = new Date('2026-01-01T01:00:00Z');
        await store.touchUpload('fresh', t1);
        expect((await store.getUpload('fresh'))?.updatedAt).toEqual(t1);
        expect((await store.getUpload('fresh'))?.startedAt).toEqual(t0);

        const stale = await store.staleUploads(new Date('2026-01-01T00:30:00Z'));
        expect(stale.map((u) => u.id)).toEqual(['old']);
        expect(await store.staleUploads(t0)).toEqual([]);
        expect((await store.staleUploads(new Date('2027-01-01'))).map((u) => u.id)).toEqual(['old', 'fresh']);

        expect(await store.deleteUpload('old')).toBe(true);
        expect(await store.deleteUpload('old')).toBe(false);
        expect(await store.getUpload('old')).toBeUndefined();
        await store.touchUpload('missing', t1);
        expect(await store.getUpload('missing')).toBeUndefined();
      });

      it('rejects a duplicate upload id', async () => {
        const r = await store.ensureRepository('r');
        await store.createUpload({ id: 'dup', repositoryId: r, startedAt: new Date() });
        await expect(store.createUpload({ id: 'dup', repositoryId: r, startedAt: new Date() })).rejects.toThrow();
      });
    });

    manifestConformance(() => store);
    lifecycleConformance(() => store);
  });
}
