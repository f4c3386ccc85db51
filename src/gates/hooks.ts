import type { RegistryHooks } from '../registry/registry.js';
import type { UploadTap } from '../registry/uploads.js';

/** Several upload taps as one: each sees every call; the body waits for all their back-pressure. */
function combineTaps(taps: UploadTap[]): UploadTap | undefined {
  if (taps.length <= 1) return taps[0];
  return {
    data(uploadId, offset, chunk) {
      const waits = taps.map((t) => t.data(uploadId, offset, chunk)).filter((w) => w !== undefined);
      return waits.length === 0 ? undefined : Promise.all(waits).then(() => undefined);
    },
    committed(uploadId, digest, size) {
      for (const t of taps) t.committed(uploadId, digest, size);
    },
    abandoned(uploadId) {
      for (const t of taps) t.abandoned(uploadId);
    },
  };
}

/** Several modules' registry hooks as one; each point runs every module's hook in list order. */
export function combineHooks(...list: RegistryHooks[]): RegistryHooks {
  const uploadTap = combineTaps(list.flatMap((h) => (h.uploadTap ? [h.uploadTap] : [])));
  return {
    async blobCommitted(repository, digest, size, how) {
      for (const h of list) await h.blobCommitted?.(repository, digest, size, how);
    },
    async beforeManifestPut(ctx) {
      for (const h of list) await h.beforeManifestPut?.(ctx);
    },
    async manifestPut(ctx) {
      for (const h of list) await h.manifestPut?.(ctx);
    },
    async manifestDeleted(repository, digest) {
      for (const h of list) await h.manifestDeleted?.(repository, digest);
    },
    ...(uploadTap ? { uploadTap } : {}),
  };
}
