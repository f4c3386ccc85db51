import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FilesystemBlobStore } from './filesystem.js';
import { blobStoreConformance } from './testing/conformance.js';
import { failingStream, readAll, sha256, streamOf } from './testing/streams.js';

async function tempRoot(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'portcullis-fs-store-'));
}

/** What a process killed mid-put / mid-start / mid-commit leaves in tmp/. */
async function simulateCrash(store: FilesystemBlobStore): Promise<void> {
  const tmp = store.tempDirectory;
  await writeFile(join(tmp, '99999-halfwrittenblob'), randomBytes(1000));
  await mkdir(join(tmp, '99999-halfstartedupload'));
  await writeFile(join(tmp, '99999-halfstartedupload', 'data'), '');
  await mkdir(join(tmp, '99999-claimedcommit'));
  await writeFile(join(tmp, '99999-claimedcommit', 'data'), 'partial');
}

blobStoreConformance(
  'filesystem',
  async () => {
    const root = await tempRoot();
    const store = await FilesystemBlobStore.open(root, { staleAfterMs: 0 });
    return { store, cleanup: () => rm(root, { recursive: true, force: true }) };
  },
  {
    crash: {
      simulate: simulateCrash,
      leftovers: async (store) => (await readdir(store.tempDirectory)).length,
    },
  },
);

describe('FilesystemBlobStore', () => {
  let root: string;
  beforeEach(async () => {
    root = await tempRoot();
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('lays blobs out by algorithm and two-hex shard', async () => {
    const store = await FilesystemBlobStore.open(root);
    const data = Buffer.from('layout');
    const digest = sha256(data);
    await store.put(digest, data);
    const hex = digest.slice('sha256:'.length);
    expect(await readdir(join(root, 'blobs', 'sha256', hex.slice(0, 2)))).toEqual([hex]);
    expect(store.blobPath(digest)).toBe(join(root, 'blobs', 'sha256', hex.slice(0, 2), hex));
    expect(await readdir(join(root, 'tmp'))).toEqual([]);
  });

  it('by default keeps fresh temporary entries, which may belong to another process', async () => {
    const store = await FilesystemBlobStore.open(root);
    await simulateCrash(store);
    await store.cleanup();
    expect((await readdir(store.tempDirectory)).length).toBe(3);
  });

  it('never removes entries it is still writing, even with no grace period', async () => {
    const store = await FilesystemBlobStore.open(root, { staleAfterMs: 0 });
    const id = randomUUID();
    await store.startUpload(id);
    const data = randomBytes(4 * 1024 * 1024);
    // cleanup runs while the commit's claimed directory sits in tmp/
    const commit = store.commitUpload(id, sha256(Buffer.alloc(0)));
    await store.cleanup();
    await commit;
    expect(await store.stat(sha256(Buffer.alloc(0)))).toBe(0);
    await store.put(sha256(data), data);
    expect(await store.stat(sha256(data))).toBe(data.length);
  });

  it('shows no partial blob and no temp file when an append fails midway', async () => {
    const store = await FilesystemBlobStore.open(root);
    const id = randomUUID();
    await store.startUpload(id);
    await expect(store.appendUpload(id, failingStream(randomBytes(3 * 1024 * 1024)))).rejects.toThrow();
    expect(await store.uploadSize(id)).toBe(0);
    expect(await readdir(join(root, 'blobs'))).toEqual([]);
    expect(await readdir(store.tempDirectory)).toEqual([]);
  });

  it('cannot be steered outside its root by upload ids or digests', async () => {
    const store = await FilesystemBlobStore.open(join(root, 'store'));
    await writeFile(join(root, 'outside'), 'secret');
    await expect(store.readUpload('..')).rejects.toThrow(/invalid upload id/);
    await expect(store.startUpload('../../outside')).rejects.toThrow(/invalid upload id/);
    await expect(store.read('sha256:../../outside')).rejects.toThrow(/invalid digest/);
    expect(await readdir(root)).toEqual(['outside', 'store']);
  });

  it('keeps an upload whose commit fails, so it can be retried', async () => {
    const store = await FilesystemBlobStore.open(root);
    const id = randomUUID();
    await store.startUpload(id);
    await store.appendUpload(id, streamOf(Buffer.from('retry me')));
    const digest = sha256(Buffer.from('retry me'));
    // a file where the shard directory should be makes the rename fail
    const shard = join(root, 'blobs', 'sha256', digest.slice(7, 9));
    await mkdir(join(root, 'blobs', 'sha256'), { recursive: true });
    await writeFile(shard, 'in the way');
    await expect(store.commitUpload(id, digest)).rejects.toThrow();
    expect(await store.uploadSize(id)).toBe(8);
    await rm(shard);
    await store.commitUpload(id, digest);
    expect((await readAll(await store.read(digest))).toString()).toBe('retry me');
  });
});
