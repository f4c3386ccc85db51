/**
 * The lifecycle half of the store (GC, retention, quotas, rules): thin wrappers over
 * lifecycle.ts and lifecycle-rules.ts; KyselyMetadataStore extends it.
 */
import type { Kysely } from 'kysely';
import * as lifecycle from './lifecycle.js';
import * as rules from './lifecycle-rules.js';
import type { RegistryTables } from './schema.js';
import type {
  ImmutableTagRule,
  LifecycleStore,
  ProjectQuota,
  RetentionManifest,
  RetentionPolicy,
  RetentionPolicyInput,
} from './store.js';

export abstract class KyselyLifecycleStore implements LifecycleStore {
  protected abstract get db(): Kysely<RegistryTables>;
  protected abstract lifecycleNow(): number;

  claimBlob(digest: string, size: number): Promise<boolean> {
    return lifecycle.claimBlob(this.db, digest, size, this.lifecycleNow());
  }
  touchLinks(repositoryId: number, digests: string[]): Promise<Set<string>> {
    return lifecycle.touchLinks(this.db, repositoryId, digests, this.lifecycleNow());
  }
  removeDanglingLink(repositoryId: number, digest: string, olderThan: Date): Promise<boolean> {
    return lifecycle.removeDanglingLink(this.db, repositoryId, digest, olderThan.getTime());
  }
  markBlobDeleting(digest: string, olderThan: Date): Promise<boolean> {
    return lifecycle.markBlobDeleting(this.db, digest, olderThan.getTime(), this.lifecycleNow());
  }
  deletingBlobs(markedBefore: Date, limit?: number): Promise<string[]> {
    return lifecycle.deletingBlobs(this.db, markedBefore.getTime(), limit);
  }
  finishBlobDeletion(digest: string): Promise<boolean> {
    return lifecycle.finishBlobDeletion(this.db, digest);
  }
  blobUsage(digests: string[]): Promise<Map<string, { links: number; references: number }>> {
    return lifecycle.blobUsage(this.db, digests);
  }
  blobInfo(digest: string): Promise<{ size: number; state: 'live' | 'deleting' } | undefined> {
    return lifecycle.blobInfo(this.db, digest);
  }
  recordPull(repositoryId: number, digest: string, at: Date): Promise<void> {
    return lifecycle.recordPull(this.db, repositoryId, digest, at.getTime());
  }
  allRepositories(): Promise<Array<{ id: number; name: string }>> {
    return lifecycle.allRepositories(this.db);
  }
  retentionManifests(repositoryId: number): Promise<RetentionManifest[]> {
    return lifecycle.retentionManifests(this.db, repositoryId);
  }
  projectUsage(project: string): Promise<number> {
    return lifecycle.projectUsage(this.db, project);
  }
  projectHasBlob(project: string, digest: string): Promise<boolean> {
    return lifecycle.projectHasBlob(this.db, project, digest);
  }
  getQuota(project: string): Promise<ProjectQuota | undefined> {
    return rules.getQuota(this.db, project);
  }
  setQuota(project: string, limitBytes: number): Promise<void> {
    return rules.setQuota(this.db, project, limitBytes, this.lifecycleNow());
  }
  deleteQuota(project: string): Promise<boolean> {
    return rules.deleteQuota(this.db, project);
  }
  listQuotas(): Promise<ProjectQuota[]> {
    return rules.listQuotas(this.db);
  }
  listImmutableTagRules(): Promise<ImmutableTagRule[]> {
    return rules.listImmutableTagRules(this.db);
  }
  addImmutableTagRule(repositoryPattern: string, tagPattern: string): Promise<ImmutableTagRule> {
    return rules.addImmutableTagRule(this.db, repositoryPattern, tagPattern, this.lifecycleNow());
  }
  deleteImmutableTagRule(id: number): Promise<boolean> {
    return rules.deleteImmutableTagRule(this.db, id);
  }
  listRetentionPolicies(): Promise<RetentionPolicy[]> {
    return rules.listRetentionPolicies(this.db);
  }
  addRetentionPolicy(policy: RetentionPolicyInput): Promise<RetentionPolicy> {
    return rules.addRetentionPolicy(this.db, policy, this.lifecycleNow());
  }
  deleteRetentionPolicy(id: number): Promise<boolean> {
    return rules.deleteRetentionPolicy(this.db, id);
  }
}
