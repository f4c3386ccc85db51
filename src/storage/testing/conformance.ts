import { randomBytes, randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  BlobNotFoundError,
  InvalidDigestError,
  InvalidUploadIdError,
  RangeNotSatisfiableError,
  UploadExistsError,
  UploadNotFoundError,
  type BlobStore,
} from '../blobstore.js';
import { failingStream, hashStream, randomStream, readAll, sha256, sha512, streamOf } from './streams.js';

export interface ConformanceOptions<S extends BlobStore> {
  /** Size of the streamed "large blob" test (default 32 MiB). */
  largeBlobSize?: number;
  /** Driver hooks to fake what a crash mid-write leaves behind, and count what is left of it. */
  crash?: {
    simulate(store: S): Promise<void>;
    leftovers(store: S): Promise<number>;
  };
}

export interface StoreUnderTest<S extends BlobStore> {
  store: S;
  cleanup: () => Promise<void>;
}

const INVALID_DIGESTS = [
  '',
  'sha256:abc',
  `sha256:${'A'.repeat(64)}`,
  `md5:${'a'.repeat(32)}`,
  `sha512:${'a'.repeat(64)}`,
  `sha256:${'a'.repeat(64)}/../x`,
  `sha256:${'a'.repeat(63)}g`,
  '../../etc/passwd',
  `sha256:${'a'.repeat(64)}\n`,
];

const INVALID_IDS = ['', '.', '..', '../escape', 'a/b', 'a\\b', 'a b', 'a\0b', 'x'.repeat(129), 'ü'];

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function uploadOf(store: BlobStore, ...parts: Uint8Array[]): Promise<string> {
  const id = randomUUID();
  await store.startUpload(id);
  for (const p of parts) await store.appendUpload(id, streamOf(p));
  return id;
}

/**
 * The behaviour every BlobStore driver must share, as vitest suites. Each test gets a fresh,
 * empty store from `factory`, and `cleanup` is called after it.
 */
export function blobStoreConformance<S extends BlobStore>(
  name: string,
  factory: () => Promise<StoreUnderTest<S>>,
  options: ConformanceOptions<S> = {},
): void {
  describe(`BlobStore conformance: ${name}`, () => {
    let current: StoreUnderTest<S> | undefined;
    let store: S;

    beforeEach(async () => {
      current = await factory();
      store = current.store;
    });
    afterEach(async () => {
      await current?.store.close();
      await current?.cleanup();
      current = undefined;
    });

    describe('blobs', () => {
      const payloads: Record<string, () => Buffer> = {
        'one byte': () => Buffer.from('a'),
        'non-UTF-8 bytes': () => Buffer.from([0x80, 0xff, 0x00, 0xc3]),
        '1 MiB of random bytes': () => randomBytes(1024 * 1024),
        'an empty blob': () => Buffer.alloc(0),
      };
      for (const [label, make] of Object.entries(payloads)) {
        it(`put, stat and read round-trip ${label}`, async () => {
          const data = make();
          const digest = sha256(data);
          await store.put(digest, data);
          expect(await store.stat(digest)).toBe(data.length);
          expect((await readAll(await store.read(digest))).equals(data)).toBe(true);
        });
      }

      it('accepts sha512 digests', async () => {
        const data = Buffer.from('sha512 content');
        const digest = sha512(data);
        await store.put(digest, data);
        expect(await store.stat(digest)).toBe(data.length);
        expect((await readAll(await store.read(digest))).toString()).toBe('sha512 content');
      });

      it('put of an existing digest keeps one good blob', async () => {
        const data = Buffer.from('same bytes twice');
        const digest = sha256(data);
        await store.put(digest, data);
        await store.put(digest, data);
        expect(await collect(store.list())).toEqual([digest]);
        expect((await readAll(await store.read(digest))).equals(data)).toBe(true);
      });

      it('reports missing blobs: stat undefined, read BlobNotFoundError, delete false', async () => {
        const digest = sha256(Buffer.from('never stored'));
        expect(await store.stat(digest)).toBeUndefined();
        const err = await store.read(digest).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(BlobNotFoundError);
        expect((err as BlobNotFoundError).digest).toBe(digest);
        await expect(store.read(digest, { start: 0, end: 0 })).rejects.toBeInstanceOf(BlobNotFoundError);
        expect(await store.delete(digest)).toBe(false);
      });

      it('delete removes a blob and reports it once', async () => {
        const data = Buffer.from('to be deleted');
        const digest = sha256(data);
        await store.put(digest, data);
        expect(await store.delete(digest)).toBe(true);
        expect(await store.stat(digest)).toBeUndefined();
        await expect(store.read(digest)).rejects.toBeInstanceOf(BlobNotFoundError);
        expect(await store.delete(digest)).toBe(false);
        expect(await collect(store.list())).toEqual([]);
      });

      it('rejects malformed digests on every blob method with InvalidDigestError', async () => {
        const data = Buffer.from('x');
        const id = await uploadOf(store, data);
        for (const bad of INVALID_DIGESTS) {
          await expect(store.stat(bad), bad).rejects.toBeInstanceOf(InvalidDigestError);
          await expect(store.read(bad), bad).rejects.toBeInstanceOf(InvalidDigestError);
          await expect(store.put(bad, data), bad).rejects.toBeInstanceOf(InvalidDigestError);
          await expect(store.delete(bad), bad).rejects.toBeInstanceOf(InvalidDigestError);
          await expect(store.commitUpload(id, bad), bad).rejects.toBeInstanceOf(InvalidDigestError);
        }
        // The upload survived the refused commits.
        expect(await store.uploadSize(id)).toBe(1);
        expect(await collect(store.list())).toEqual([]);
      });

      it('list yields every committed blob of both algorithms, and no uploads', async () => {
        const expected: string[] = [];
        for (let i = 0; i < 5; i++) {
          const data = Buffer.from(`blob ${i}`);
          const digest = i % 2 === 0 ? sha256(data) : sha512(data);
          await store.put(digest, data);
          expected.push(digest);
        }
        await uploadOf(store, Buffer.from('an upload is not a blob'));
        expect((await collect(store.list())).sort()).toEqual(expected.sort());
      });
    });

    describe('ranges', () => {
      const data = Buffer.from('0123456789abcdefghij');
      const digest = sha256(data);
      const slice = async (start: number, end: number) => (await readAll(await store.read(digest, { start, end }))).toString();

      it('reads the first byte, the last byte, a middle slice and the whole blob', async () => {
        await store.put(digest, data);
        expect(await slice(0, 0)).toBe('0');
        expect(await slice(data.length - 1, data.length - 1)).toBe('j');
        expect(await slice(5, 12)).toBe('56789abc');
        expect(await slice(0, data.length - 1)).toBe(data.toString());
      });

      it('refuses ranges outside the blob with RangeNotSatisfiableError carrying the size', async () => {
        await store.put(digest, data);
        const bad = [
          { start: data.length, end: data.length },
          { start: 0, end: data.length },
          { start: 5, end: 4 },
          { start: -1, end: 3 },
          { start: 0.5, end: 3 },
        ];
        for (const range of bad) {
          const err = await store.read(digest, range).catch((e: unknown) => e);
          expect(err, JSON.stringify(range)).toBeInstanceOf(RangeNotSatisfiableError);
          expect((err as RangeNotSatisfiableError).size).toBe(data.length);
        }
      });

      it('refuses every range of an empty blob', async () => {
        const empty = Buffer.alloc(0);
        await store.put(sha256(empty), empty);
        await expect(store.read(sha256(empty), { start: 0, end: 0 })).rejects.toBeInstanceOf(RangeNotSatisfiableError);
      });
    });

    describe('uploads', () => {
      it('appends chunks, reports sizes, and commits them as a visible blob', async () => {
        const id = randomUUID();
        await store.startUpload(id);
        expect(await store.uploadSize(id)).toBe(0);
        const parts = [Buffer.from('hello '), Buffer.from('multi-chunk '), Buffer.from('world')];
        let total = 0;
        for (const p of parts) {
          total += p.length;
          expect(await store.appendUpload(id, streamOf(p))).toBe(total);
          expect(await store.uploadSize(id)).toBe(total);
        }
        // several chunks inside one append
        total += 6;
        expect(await store.appendUpload(id, streamOf(Buffer.from('a'), Buffer.from('bc'), Buffer.from('def')))).toBe(total);
        const all = Buffer.concat([...parts, Buffer.from('abcdef')]);
        expect((await readAll(await store.readUpload(id))).equals(all)).toBe(true);

        const digest = sha256(all);
        expect(await store.stat(digest)).toBeUndefined();
        await store.commitUpload(id, digest);
        expect(await store.stat(digest)).toBe(all.length);
        expect((await readAll(await store.read(digest))).equals(all)).toBe(true);
        expect(await store.uploadSize(id)).toBeUndefined();
        await expect(store.readUpload(id)).rejects.toBeInstanceOf(UploadNotFoundError);
        expect(await collect(store.listUploads())).toEqual([]);
      });

      it('accepts an empty append and commits an empty upload as an empty blob', async () => {
        const id = randomUUID();
        await store.startUpload(id);
        expect(await store.appendUpload(id, streamOf())).toBe(0);
        const digest = sha256(Buffer.alloc(0));
        await store.commitUpload(id, digest);
        expect(await store.stat(digest)).toBe(0);
        expect((await readAll(await store.read(digest))).length).toBe(0);
      });

      it('cancel removes an upload once, and no blob appears', async () => {
        const id = await uploadOf(store, Buffer.from('abandoned'));
        expect(await store.cancelUpload(id)).toBe(true);
        expect(await store.uploadSize(id)).toBeUndefined();
        expect(await store.cancelUpload(id)).toBe(false);
        await expect(store.appendUpload(id, streamOf(Buffer.from('more')))).rejects.toBeInstanceOf(UploadNotFoundError);
        expect(await collect(store.listUploads())).toEqual([]);
        expect(await collect(store.list())).toEqual([]);
      });

      it('answers unknown upload ids with UploadNotFoundError (undefined size, false cancel)', async () => {
        const id = randomUUID();
        expect(await store.uploadSize(id)).toBeUndefined();
        const err = await store.appendUpload(id, streamOf(Buffer.from('x'))).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(UploadNotFoundError);
        expect((err as UploadNotFoundError).id).toBe(id);
        await expect(store.readUpload(id)).rejects.toBeInstanceOf(UploadNotFoundError);
        await expect(store.commitUpload(id, sha256(Buffer.from('x')))).rejects.toBeInstanceOf(UploadNotFoundError);
        expect(await store.cancelUpload(id)).toBe(false);
        expect(await store.stat(sha256(Buffer.from('x')))).toBeUndefined();
      });

      it('refuses to start an upload whose id is in use', async () => {
        const id = await uploadOf(store, Buffer.from('first'));
        await expect(store.startUpload(id)).rejects.toBeInstanceOf(UploadExistsError);
        expect(await store.uploadSize(id)).toBe(5);
      });

      it('rejects unsafe upload ids on every upload method with InvalidUploadIdError', async () => {
        const digest = sha256(Buffer.from('x'));
        for (const bad of INVALID_IDS) {
          await expect(store.startUpload(bad), bad).rejects.toBeInstanceOf(InvalidUploadIdError);
          await expect(store.appendUpload(bad, streamOf(Buffer.from('x'))), bad).rejects.toBeInstanceOf(InvalidUploadIdError);
          await expect(store.uploadSize(bad), bad).rejects.toBeInstanceOf(InvalidUploadIdError);
          await expect(store.readUpload(bad), bad).rejects.toBeInstanceOf(InvalidUploadIdError);
          await expect(store.commitUpload(bad, digest), bad).rejects.toBeInstanceOf(InvalidUploadIdError);
          await expect(store.cancelUpload(bad), bad).rejects.toBeInstanceOf(InvalidUploadIdError);
        }
        expect(await collect(store.listUploads())).toEqual([]);
      });

      it('leaves the upload as it was when an append stream fails midway', async () => {
        const id = await uploadOf(store, Buffer.from('kept '));
        // more than any driver buffers (1 MiB batches, 5 MiB segments), so some of it was stored
        await expect(store.appendUpload(id, failingStream(randomBytes(6 * 1024 * 1024)))).rejects.toThrow(/connection reset/);
        expect(await store.uploadSize(id)).toBe(5);
        expect(await store.appendUpload(id, streamOf(Buffer.from('retried')))).toBe(12);
        const all = Buffer.from('kept retried');
        expect((await readAll(await store.readUpload(id))).equals(all)).toBe(true);
        await store.commitUpload(id, sha256(all));
        expect((await readAll(await store.read(sha256(all)))).equals(all)).toBe(true);
        expect(await collect(store.list())).toEqual([sha256(all)]);
      });

      it('lists uploads with id, size and start time', async () => {
        const before = Date.now();
        const a = await uploadOf(store, Buffer.from('abc'));
        const b = await uploadOf(store);
        const after = Date.now();
        const listed = (await collect(store.listUploads())).sort((x, y) => x.id.localeCompare(y.id));
        const expected = [
          { id: a, size: 3 },
          { id: b, size: 0 },
        ].sort((x, y) => x.id.localeCompare(y.id));
        expect(listed.map(({ id, size }) => ({ id, size }))).toEqual(expected);
        for (const u of listed) {
          expect(u.startedAt).toBeInstanceOf(Date);
          // object stores keep whole seconds
          expect(u.startedAt.getTime()).toBeGreaterThanOrEqual(before - 2000);
          expect(u.startedAt.getTime()).toBeLessThanOrEqual(after + 2000);
        }
      });

      it('commits two uploads of the same digest concurrently into one good blob', async () => {
        const data = randomBytes(256 * 1024);
        const digest = sha256(data);
        const half = data.length / 2;
        const a = await uploadOf(store, data.subarray(0, half), data.subarray(half));
        const b = await uploadOf(store, data);
        await Promise.all([store.commitUpload(a, digest), store.commitUpload(b, digest)]);
        expect(await store.stat(digest)).toBe(data.length);
        expect((await readAll(await store.read(digest))).equals(data)).toBe(true);
        expect(await store.uploadSize(a)).toBeUndefined();
        expect(await store.uploadSize(b)).toBeUndefined();
        expect(await collect(store.list())).toEqual([digest]);
        expect(await collect(store.listUploads())).toEqual([]);
      });

      it('commits over an existing blob of the same digest', async () => {
        const data = Buffer.from('already there');
        await store.put(sha256(data), data);
        const id = await uploadOf(store, data);
        await store.commitUpload(id, sha256(data));
        expect((await readAll(await store.read(sha256(data)))).equals(data)).toBe(true);
        expect(await store.uploadSize(id)).toBeUndefined();
      });
    });

    const large = options.largeBlobSize ?? 32 * 1024 * 1024;
    it(`streams a ${Math.round(large / 1024 / 1024)} MiB blob through an upload and back`, async () => {
      const id = randomUUID();
      await store.startUpload(id);
      const src = randomStream(large);
      expect(await store.appendUpload(id, src.stream)).toBe(large);
      const digest = src.digest();
      await store.commitUpload(id, digest);
      expect(await store.stat(digest)).toBe(large);
      expect(await hashStream(await store.read(digest))).toEqual({ digest, size: large });
      // a range across the 1 MiB chunk boundaries of the source
      const mid = Math.floor(large / 2);
      const slice = await readAll(await store.read(digest, { start: mid - 100, end: mid + 1024 * 1024 + 99 }));
      expect(slice.length).toBe(1024 * 1024 + 200);
    });

    describe('cleanup', () => {
      it('keeps committed blobs and live uploads', async () => {
        const data = Buffer.from('survives cleanup');
        await store.put(sha256(data), data);
        const id = await uploadOf(store, Buffer.from('live'));
        await store.cleanup();
        expect((await readAll(await store.read(sha256(data)))).equals(data)).toBe(true);
        expect(await store.uploadSize(id)).toBe(4);
      });

      const crash = options.crash;
      it.skipIf(!crash)('removes what a crash mid-write left behind, and nothing else', async () => {
        if (!crash) return;
        const data = Buffer.from('committed before the crash');
        await store.put(sha256(data), data);
        const id = await uploadOf(store, Buffer.from('live'));
        await crash.simulate(store);
        expect(await crash.leftovers(store)).toBeGreaterThan(0);
        // leftovers are never visible as blobs or uploads
        expect(await collect(store.list())).toEqual([sha256(data)]);
        expect((await collect(store.listUploads())).map((u) => u.id)).toEqual([id]);
        await store.cleanup();
        expect(await crash.leftovers(store)).toBe(0);
        expect((await readAll(await store.read(sha256(data)))).equals(data)).toBe(true);
        expect(await store.uploadSize(id)).toBe(4);
      });
    });
  });
}
