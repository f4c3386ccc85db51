import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import { createBlobStore, S3BlobStore, STORAGE_DRIVERS, storageConfigSchema } from './index.js';

function issues(config: unknown): string[] {
  const res = storageConfigSchema.safeParse(config);
  if (res.success) return [];
  return res.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('storage config', () => {
  it('accepts a filesystem and a full s3 configuration', () => {
    expect(issues({ driver: 'filesystem', path: './data' })).toEqual([]);
    expect(
      issues({
        driver: 's3',
        endpoint: 'http://127.0.0.1:8080',
        region: 'us-east-1',
        bucket: 'registry-blobs',
        prefix: 'portcullis/prod/',
        accessKeyId: 'test:tester',
        secretAccessKey: 'testing',
        forcePathStyle: true,
      }),
    ).toEqual([]);
    expect(issues({ driver: 's3', region: 'eu-west-1', bucket: 'b12' })).toEqual([]);
  });

  it('names the offending field', () => {
    expect(issues({ driver: 'filesystem', path: '' })).toEqual(['path: path must not be empty']);
    expect(issues({ driver: 's3', bucket: 'ok-bucket' })[0]).toMatch(/^region: /);
    expect(issues({ driver: 's3', region: 'r', bucket: 'Bad_Bucket' })[0]).toMatch(/^bucket: bucket must be/);
    expect(issues({ driver: 's3', region: 'r', bucket: 'abc', endpoint: 'not a url' })[0]).toMatch(/^endpoint: /);
    expect(issues({ driver: 's3', region: 'r', bucket: 'abc', prefix: 'a/../b' })[0]).toMatch(/^prefix: /);
    expect(issues({ driver: 'gcs', path: 'x' })[0]).toMatch(/^driver: /);
    expect(issues({ driver: 'filesystem', path: 'x', extra: 1 })[0]).toMatch(/extra/);
  });

  it('wants both static credentials or neither, and never echoes the secret', () => {
    const out = issues({ driver: 's3', region: 'r', bucket: 'abc', secretAccessKey: 'very-secret-value' });
    expect(out).toEqual([
      'accessKeyId: accessKeyId and secretAccessKey go together (omit both to use the AWS default credential chain)',
    ]);
    expect(out.join()).not.toContain('very-secret-value');
  });
});

describe('createBlobStore', () => {
  it('lists every driver', () => {
    expect(Object.keys(STORAGE_DRIVERS).sort()).toEqual(['filesystem', 's3']);
  });

  it('opens a filesystem store, creating its directories', async () => {
    const root = await mkdtemp(join(tmpdir(), 'portcullis-create-'));
    try {
      const store = await createBlobStore({ driver: 'filesystem', path: join(root, 'data') });
      expect(store.kind).toBe('filesystem');
      expect((await readdir(join(root, 'data'))).sort()).toEqual(['blobs', 'tmp', 'uploads']);
      await store.close();
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('builds an s3 store with a normalised prefix without contacting the server', async () => {
    const store = await createBlobStore({ driver: 's3', region: 'us-east-1', bucket: 'abc', prefix: 'reg' });
    expect(store).toBeInstanceOf(S3BlobStore);
    expect((store as S3BlobStore).blobKey(`sha256:${'a'.repeat(64)}`)).toBe(`reg/blobs/sha256/${'a'.repeat(64)}`);
    await store.close();
  });

  it('throws a ZodError for an invalid configuration', async () => {
    await expect(createBlobStore({ driver: 's3', bucket: 'abc' })).rejects.toBeInstanceOf(ZodError);
  });
});
