import { z } from 'zod';
import type { BlobStore } from './blobstore.js';
import { FilesystemBlobStore } from './filesystem.js';
import { S3BlobStore } from './s3.js';

export * from './blobstore.js';
export { FilesystemBlobStore, type FilesystemBlobStoreOptions } from './filesystem.js';
export { S3BlobStore, type S3BlobStoreOptions } from './s3.js';

export const filesystemStorageSchema = z
  .object({
    driver: z.literal('filesystem'),
    /** Directory holding blobs/, uploads/ and tmp/ (created if missing). */
    path: z.string().min(1, 'path must not be empty'),
  })
  .strict();

export const s3StorageSchema = z
  .object({
    driver: z.literal('s3'),
    endpoint: z.string().url('endpoint must be a URL such as http://127.0.0.1:8080').optional(),
    region: z.string().min(1, 'region must not be empty'),
    bucket: z
      .string()
      .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'bucket must be 3-63 characters of a-z, 0-9, "." and "-"'),
    prefix: z
      .string()
      .regex(/^[A-Za-z0-9!_.*'()/-]*$/, 'prefix may only hold S3-safe characters (letters, digits, !_.*\'()/-)')
      .refine((p) => !p.split('/').some((s) => s === '.' || s === '..'), 'prefix must not contain "." or ".." segments')
      .optional(),
    accessKeyId: z.string().min(1).optional(),
    secretAccessKey: z.string().min(1).optional(),
    forcePathStyle: z.boolean().optional(),
  })
  .strict();

/** `storage:` section of the server configuration. */
export const storageConfigSchema = z
  .discriminatedUnion('driver', [filesystemStorageSchema, s3StorageSchema])
  .superRefine((cfg, ctx) => {
    if (cfg.driver === 's3' && (cfg.accessKeyId === undefined) !== (cfg.secretAccessKey === undefined)) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: [cfg.accessKeyId === undefined ? 'accessKeyId' : 'secretAccessKey'],
        message: 'accessKeyId and secretAccessKey go together (omit both to use the AWS default credential chain)',
      });
    }
  });

export type StorageConfig = z.infer<typeof storageConfigSchema>;
export type FilesystemStorageConfig = z.infer<typeof filesystemStorageSchema>;
export type S3StorageConfig = z.infer<typeof s3StorageSchema>;

/** Every storage driver, by its `driver` name. */
export const STORAGE_DRIVERS: {
  [K in StorageConfig['driver']]: (config: Extract<StorageConfig, { driver: K }>) => Promise<BlobStore>;
} = {
  filesystem: (config) => FilesystemBlobStore.open(config.path),
  s3: async (config) => new S3BlobStore(config),
};

/** Validates `config` (throwing a ZodError with field paths) and opens its driver. */
export async function createBlobStore(config: unknown): Promise<BlobStore> {
  const parsed = storageConfigSchema.parse(config);
  switch (parsed.driver) {
    case 'filesystem':
      return STORAGE_DRIVERS.filesystem(parsed);
    case 's3':
      return STORAGE_DRIVERS.s3(parsed);
  }
}
