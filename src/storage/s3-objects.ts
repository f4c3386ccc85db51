import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';

/** Small helpers over one bucket, shared by the S3 driver's blob and upload code. */
export interface Bucket {
  client: S3Client;
  name: string;
}

export interface ListedObject {
  key: string;
  size: number;
  lastModified: Date;
}

export function httpStatus(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
}

export function isNotFound(err: unknown): boolean {
  const name = (err as { name?: string } | null)?.name;
  return httpStatus(err) === 404 || name === 'NoSuchKey' || name === 'NotFound';
}

/** Every object under `prefix`, in key order, page by page. */
export async function* listObjects(bucket: Bucket, prefix: string): AsyncIterable<ListedObject> {
  let token: string | undefined;
  do {
    const page = await bucket.client.send(
      new ListObjectsV2Command({ Bucket: bucket.name, Prefix: prefix, ContinuationToken: token }),
    );
    for (const o of page.Contents ?? []) {
      if (o.Key === undefined) continue;
      yield { key: o.Key, size: o.Size ?? 0, lastModified: o.LastModified ?? new Date(0) };
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}

/**
 * Deletes keys one request each, a few at a time. DeleteObjects would be one request, but it
 * needs Content-MD5 on several S3-compatible servers (Swift among them) that the SDK no longer sends.
 */
export async function deleteKeys(bucket: Bucket, keys: string[], concurrency = 8): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < keys.length) {
      const key = keys[next++]!;
      await bucket.client.send(new DeleteObjectCommand({ Bucket: bucket.name, Key: key }));
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, keys.length) }, worker));
}

export async function getObject(bucket: Bucket, key: string, range?: string): Promise<{ body: Readable; contentRange?: string }> {
  const res = await bucket.client.send(new GetObjectCommand({ Bucket: bucket.name, Key: key, Range: range }));
  // In Node the SDK's body is an http.IncomingMessage, i.e. a Readable.
  return { body: res.Body as Readable, contentRange: res.ContentRange };
}

/** Reads a whole (small) object into memory. */
export async function getBytes(bucket: Bucket, key: string): Promise<Buffer> {
  const { body } = await getObject(bucket, key);
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
