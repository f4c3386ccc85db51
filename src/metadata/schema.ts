/**
 * Kysely table types of the registry's metadata (0001_registry). Times are epoch
 * milliseconds in BIGINT columns and sizes are BIGINT: both dialects store them the same
 * way, and `pg` hands BIGINT back as a string, so readers convert with Number().
 */
import type { Generated } from 'kysely';

type Int8 = number | string;

export interface RepositoriesTable {
  id: Generated<number>;
  name: string;
  created_at: Int8;
}

export interface BlobsTable {
  digest: string;
  size: Int8;
  created_at: Int8;
  /** 0300_lifecycle: `live`, or `deleting` while GC removes it. */
  state: Generated<'live' | 'deleting'>;
  marked_at: Int8 | null;
  /** Last upload commit, mount or link of this digest (GC's grace period counts from here). */
  touched_at: Int8;
}

export interface RepositoryBlobsTable {
  repository_id: number;
  digest: string;
  linked_at: Int8;
}

export interface ManifestsTable {
  repository_id: number;
  digest: string;
  media_type: string;
  artifact_type: string | null;
  subject: string | null;
  config_digest: string | null;
  /** JSON object as text. */
  annotations: string | null;
  size: Int8;
  content: Buffer;
  created_at: Int8;
  /** 0300_lifecycle: throttled record of the last GET/HEAD. */
  last_pulled_at: Int8 | null;
}

export interface ManifestReferencesTable {
  repository_id: number;
  manifest_digest: string;
  digest: string;
  kind: 'blob' | 'manifest';
}

export interface TagsTable {
  repository_id: number;
  name: string;
  digest: string;
  updated_at: Int8;
}

export interface UploadsTable {
  id: string;
  repository_id: number;
  started_at: Int8;
  updated_at: Int8;
}

export interface ImmutableTagRulesTable {
  id: Generated<number>;
  repository_pattern: string;
  tag_pattern: string;
  created_at: Int8;
}

export interface RetentionPoliciesTable {
  id: Generated<number>;
  repository_pattern: string;
  tag_pattern: string;
  keep_last: number | null;
  untagged_days: number | null;
  unpulled_days: number | null;
  created_at: Int8;
}

export interface ProjectQuotasTable {
  project: string;
  limit_bytes: Int8;
  updated_at: Int8;
}

export interface RegistryTables {
  repositories: RepositoriesTable;
  blobs: BlobsTable;
  repository_blobs: RepositoryBlobsTable;
  manifests: ManifestsTable;
  manifest_references: ManifestReferencesTable;
  tags: TagsTable;
  uploads: UploadsTable;
  immutable_tag_rules: ImmutableTagRulesTable;
  retention_policies: RetentionPoliciesTable;
  project_quotas: ProjectQuotasTable;
}
