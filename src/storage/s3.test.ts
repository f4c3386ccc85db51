import { randomBytes, randomUUID } from 'node:crypto';
import {
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  ListMultipartUploadsCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3BlobStore, type S3BlobStoreOptions } from './s3.js';
import { MIN_PART_SIZE } from './s3-assemble.js';
import { deleteKeys, listObjects } from './s3-objects.js';
import { blobStoreConformance } from './testing/conformance.js';
import { readAll, sha256, streamOf } from './testing/streams.js';
import { hasSwiftTools, startSwiftS3, SWIFT_TOOLS, type SwiftS3 } from './testing/swift.js';

if (!hasSwiftTools) console.warn(`S3 storage suite skipped: ${SWIFT_TOOLS} is absent`);

const BUCKET = 'portcullis-test';
const MiB = 1024 * 1024;

describe.skipIf(!hasSwiftTools)('S3BlobStore against OpenStack Swift', () => {
  let swift: SwiftS3;
  let admin: S3Client;

  const options = (prefix: string): S3BlobStoreOptions => ({
    bucket: BUCKET,
    region: swift.region,
    endpoint: swift.endpoint,
    accessKeyId: swift.accessKeyId,
    secretAccessKey: swift.secretAccessKey,
    prefix,
    segmentSize: MIN_PART_SIZE,
    staleAfterMs: 0,
  });

  async function multipartUploads(prefix: string): Promise<number> {
    const res = await admin.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: prefix }));
    return res.Uploads?.length ?? 0;
  }

  async function fresh(): Promise<{ store: S3BlobStore; cleanup: () => Promise<void> }> {
    const prefix = `t-${randomUUID()}/`;
    const store = new S3BlobStore(options(prefix));
    return {
      store,
      cleanup: async () => {
        const keys: string[] = [];
        for await (const o of listObjects({ client: admin, name: BUCKET }, prefix)) keys.push(o.key);
        await deleteKeys({ client: admin, name: BUCKET }, keys);
      },
    };
  }

  beforeAll(async () => {
    swift = await startSwiftS3();
    admin = new S3Client({
      region: swift.region,
      endpoint: swift.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: swift.accessKeyId, secretAccessKey: swift.secretAccessKey },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    await admin.send(new CreateBucketCommand({ Bucket: BUCKET }));
  });

  afterAll(async () => {
    admin?.destroy();
    await swift?.stop();
  });

  blobStoreConformance('s3 (Swift)', fresh, {
    largeBlobSize: 12 * MiB,
    crash: {
      // A commit killed after CreateMultipartUpload, and a cancel killed after removing the marker.
      simulate: async (store) => {
        const prefix = store.prefix;
        await admin.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: store.blobKey(sha256(Buffer.from('crashed'))) }));
        const orphan = `${prefix}uploads/${randomUUID()}/data/0000000000000000`;
        await admin.send(new PutObjectCommand({ Bucket: BUCKET, Key: orphan, Body: 'orphan' }));
      },
      leftovers: async (store) => {
        const prefix = store.prefix;
        const byUpload = new Map<string, boolean>();
        for await (const o of listObjects({ client: admin, name: BUCKET }, `${prefix}uploads/`)) {
          const [id, kind] = o.key.slice(`${prefix}uploads/`.length).split('/');
          byUpload.set(id!, (byUpload.get(id!) ?? false) || kind === 'startedat');
        }
        const orphans = [...byUpload.values()].filter((live) => !live).length;
        return orphans + (await multipartUploads(`${prefix}blobs/`));
      },
    },
  });

  describe('S3-specific', () => {
    it('assembles many small appends and large ones into one blob', async () => {
      const { store, cleanup } = await fresh();
      try {
        // 3 x 2 MiB (joined into one part), 6 MiB (a copied 5 MiB part + 1 MiB), 1 MiB, 1 KiB:
        // exercises downloaded parts, server-side part copies and a small last part.
        const pieces = [2 * MiB, 2 * MiB, 2 * MiB, 6 * MiB, 1 * MiB, 1024].map((n) => randomBytes(n));
        const id = randomUUID();
        await store.startUpload(id);
        for (const p of pieces) await store.appendUpload(id, streamOf(p));
        const all = Buffer.concat(pieces);
        expect(await store.uploadSize(id)).toBe(all.length);
        await store.commitUpload(id, sha256(all));
        expect(await store.stat(sha256(all))).toBe(all.length);
        expect((await readAll(await store.read(sha256(all)))).equals(all)).toBe(true);
        const tail = await readAll(await store.read(sha256(all), { start: all.length - 1500, end: all.length - 1 }));
        expect(tail.equals(all.subarray(all.length - 1500))).toBe(true);
        expect(await multipartUploads(store.blobKey(sha256(all)))).toBe(0);
      } finally {
        await store.close();
        await cleanup();
      }
    });

    it('assembles a small first piece followed by a large one', async () => {
      const { store, cleanup } = await fresh();
      try {
        const pieces = [randomBytes(1 * MiB), randomBytes(6 * MiB)];
        const id = randomUUID();
        await store.startUpload(id);
        for (const p of pieces) await store.appendUpload(id, streamOf(p));
        const all = Buffer.concat(pieces);
        await store.commitUpload(id, sha256(all));
        expect((await readAll(await store.read(sha256(all)))).equals(all)).toBe(true);
      } finally {
        await store.close();
        await cleanup();
      }
    });

    it('keeps blobs and uploads of different prefixes apart', async () => {
      const a = await fresh();
      const b = await fresh();
      try {
        const data = Buffer.from('only in a');
        await a.store.put(sha256(data), data);
        await a.store.startUpload('upload-a');
        expect(await b.store.stat(sha256(data))).toBeUndefined();
        expect(await b.store.uploadSize('upload-a')).toBeUndefined();
        const listed: string[] = [];
        for await (const d of b.store.list()) listed.push(d);
        expect(listed).toEqual([]);
      } finally {
        await a.store.close();
        await b.store.close();
        await a.cleanup();
        await b.cleanup();
      }
    });
  });
});
