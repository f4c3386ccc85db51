import type { RegistryHooks } from '../registry/registry.js';

/** Several modules' registry hooks as one; each point runs every module's hook in list order. */
export function combineHooks(...list: RegistryHooks[]): RegistryHooks {
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
  };
}
