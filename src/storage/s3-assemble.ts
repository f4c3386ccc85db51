import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
  UploadPartCopyCommand,
  type CompletedPart,
} from '@aws-sdk/client-s3';
import { getBytes, type Bucket } from './s3-objects.js';

/** S3's smallest allowed multipart part (all but the last). */
export const MIN_PART_SIZE = 5 * 1024 * 1024;
const PART_CONCURRENCY = 4;

export interface Segment {
  key: string;
  offset: number;
  size: number;
}

export interface AssembleOptions {
  /** Parts built from downloaded small segments are flushed once they reach this size. */
  partSize: number;
  /** Holds the multipart upload id while it is open, so cleanup() leaves it alone. */
  active: Set<string>;
}

function copySource(bucket: Bucket, key: string): string {
  return `${bucket.name}/${key.split('/').map(encodeURIComponent).join('/')}`;
}

/**
 * Writes the concatenation of `segments` to `key` so that it appears whole or not at all.
 *
 * One segment is copied server-side; a small total is gathered and PUT once; anything else
 * becomes a multipart upload in which segments of at least 5 MiB are copied server-side
 * (UploadPartCopy: the bytes never pass through us) and runs of smaller segments, left by
 * clients that push many small chunks, are downloaded and joined into parts of `partSize`.
 * The key only exists once CompleteMultipartUpload succeeds.
 */
export async function assemble(bucket: Bucket, key: string, segments: Segment[], options: AssembleOptions): Promise<void> {
  const { client, name } = bucket;
  const total = segments.reduce((n, s) => n + s.size, 0);
  if (segments.length === 1) {
    await client.send(new CopyObjectCommand({ Bucket: name, Key: key, CopySource: copySource(bucket, segments[0]!.key) }));
    return;
  }
  if (total <= options.partSize) {
    const body = Buffer.concat(await Promise.all(segments.map((s) => getBytes(bucket, s.key))));
    await client.send(new PutObjectCommand({ Bucket: name, Key: key, Body: body, ContentLength: body.length }));
    return;
  }

  const created = await client.send(new CreateMultipartUploadCommand({ Bucket: name, Key: key }));
  const uploadId = created.UploadId;
  if (!uploadId) throw new Error(`S3 CreateMultipartUpload for ${key} returned no upload id`);
  options.active.add(uploadId);
  const parts: CompletedPart[] = [];
  const running = new Set<Promise<void>>();
  let pending: Buffer[] = [];
  let pendingSize = 0;

  // Parts are independent requests: a few run at once, numbered in segment order.
  const launch = async (send: (partNumber: number) => Promise<string | undefined>): Promise<void> => {
    while (running.size >= PART_CONCURRENCY) await Promise.race(running);
    const PartNumber = parts.length + 1;
    const part: CompletedPart = { PartNumber };
    parts.push(part);
    const task = send(PartNumber).then((etag) => {
      part.ETag = etag;
    });
    running.add(task);
    task.then(
      () => running.delete(task),
      () => undefined, // rejections surface through Promise.race / Promise.all
    );
  };

  const flush = async (): Promise<void> => {
    const body = Buffer.concat(pending);
    pending = [];
    pendingSize = 0;
    await launch(async (PartNumber) => {
      const res = await client.send(
        new UploadPartCommand({ Bucket: name, Key: key, UploadId: uploadId, PartNumber, Body: body, ContentLength: body.length }),
      );
      return res.ETag;
    });
  };

  try {
    for (const seg of segments) {
      if (seg.size >= MIN_PART_SIZE && (pendingSize === 0 || pendingSize >= MIN_PART_SIZE)) {
        if (pendingSize > 0) await flush();
        const source = copySource(bucket, seg.key);
        await launch(async (PartNumber) => {
          const res = await client.send(
            new UploadPartCopyCommand({ Bucket: name, Key: key, UploadId: uploadId, PartNumber, CopySource: source }),
          );
          return res.CopyPartResult?.ETag;
        });
        continue;
      }
      pending.push(await getBytes(bucket, seg.key));
      pendingSize += seg.size;
      if (pendingSize >= options.partSize) await flush();
    }
    if (pendingSize > 0) await flush();
    await Promise.all(running);
    await client.send(
      new CompleteMultipartUploadCommand({ Bucket: name, Key: key, UploadId: uploadId, MultipartUpload: { Parts: parts } }),
    );
  } catch (err) {
    await Promise.allSettled(running);
    await client.send(new AbortMultipartUploadCommand({ Bucket: name, Key: key, UploadId: uploadId })).catch(() => undefined);
    throw err;
  } finally {
    options.active.delete(uploadId);
  }
}
