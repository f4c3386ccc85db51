/**
 * The registry's metadata: repositories, manifests, tags, blob links, uploads and the
 * references between manifests. One interface, one kysely schema, two dialects
 * (SQLite embedded, PostgreSQL at scale); both run the same conformance suite.
 */

export interface Page {
  /** Return entries strictly after this one (lexical order). */
  last?: string;
  /** At most this many entries. */
  n?: number;
}

export interface RepositoryRow {
  id: number;
  name: string;
  createdAt: Date;
}

/** A descriptor that a manifest points at: a blob (config, layer) or a child manifest (index). */
export interface ManifestReference {
  digest: string;
  kind: 'blob' | 'manifest';
}

export interface ManifestInput {
  digest: string;
  mediaType: string;
  /** artifactType, else config.mediaType for manifests, as the referrers API reports it. */
  artifactType?: string | undefined;
  subject?: string | undefined;
  configDigest?: string | undefined;
  annotations?: Record<string, string> | undefined;
  content: Uint8Array;
  references: ManifestReference[];
}

export interface ManifestRow {
  repositoryId: number;
  digest: string;
  mediaType: string;
  artifactType: string | null;
  subject: string | null;
  configDigest: string | null;
  annotations: Record<string, string> | null;
  size: number;
  content: Buffer;
  createdAt: Date;
}

export interface TagRow {
  name: string;
  digest: string;
  updatedAt: Date;
}

export interface ReferrerRow {
  digest: string;
  mediaType: string;
  artifactType: string | null;
  size: number;
  annotations: Record<string, string> | null;
}

export interface UploadRow {
  id: string;
  repositoryId: number;
  startedAt: Date;
  updatedAt: Date;
}

export interface MetadataStore extends LifecycleStore {
  readonly dialect: 'sqlite' | 'postgres';
  /** Applies pending migrations; idempotent. */
  migrate(): Promise<void>;
  close(): Promise<void>;

  /** Returns the repository id, creating the repository if needed. */
  ensureRepository(name: string): Promise<number>;
  getRepository(name: string): Promise<RepositoryRow | undefined>;
  /** Repository names in lexical order (only those that hold at least one manifest or blob). */
  listRepositories(page?: Page): Promise<string[]>;
  deleteRepository(name: string): Promise<boolean>;

  /**
   * Records that a blob (already in the BlobStore) belongs to a repository. Idempotent; refreshes
   * the link's linked_at and the blob's touched_at. Throws BlobDeletingError while GC deletes it.
   */
  linkBlob(repositoryId: number, digest: string, size: number): Promise<void>;
  /** Size of the blob if it is linked to the repository. */
  linkedBlobSize(repositoryId: number, digest: string): Promise<number | undefined>;
  unlinkBlob(repositoryId: number, digest: string): Promise<boolean>;
  /** Which of these digests are linked to the repository (for manifest validation). */
  linkedBlobs(repositoryId: number, digests: string[]): Promise<Set<string>>;
  /**
   * Blob digests created before `olderThan` that no repository links and no manifest
   * references (GC candidates), in digest order, at most `limit` of them.
   */
  unreferencedBlobs(olderThan: Date, limit?: number): Promise<string[]>;
  /**
   * Blob links made before `olderThan` that no manifest of the same repository references
   * (layers of deleted manifests, abandoned pushes): what GC unlinks before collecting blobs.
   */
  danglingLinks(olderThan: Date, limit?: number): Promise<Array<{ repositoryId: number; digest: string }>>;
  /** Forgets a blob everywhere (after GC deleted it). */
  forgetBlob(digest: string): Promise<void>;

  createUpload(upload: { id: string; repositoryId: number; startedAt: Date }): Promise<void>;
  getUpload(id: string): Promise<UploadRow | undefined>;
  touchUpload(id: string, at: Date): Promise<void>;
  deleteUpload(id: string): Promise<boolean>;
  /** Uploads not touched since `before` (abandoned). */
  staleUploads(before: Date): Promise<UploadRow[]>;

  /**
   * Stores a manifest (idempotent by digest) and, when `tag` is given, points the tag at it —
   * in one transaction, so a reader never sees a tag without its manifest.
   * Returns the digest the tag pointed to before, if any.
   */
  putManifest(
    repositoryId: number,
    manifest: ManifestInput,
    tag?: string,
    options?: PutManifestOptions,
  ): Promise<{ previousTagDigest?: string }>;
  getManifest(repositoryId: number, digest: string): Promise<ManifestRow | undefined>;
  /** resolveTag + getManifest in one round trip (the manifest GET by tag). */
  getTaggedManifest(repositoryId: number, tag: string): Promise<ManifestRow | undefined>;
  resolveTag(repositoryId: number, tag: string): Promise<string | undefined>;
  /** Which of these manifest digests exist in the repository (index children). */
  existingManifests(repositoryId: number, digests: string[]): Promise<Set<string>>;
  /** Deletes the manifest and every tag that points at it. */
  deleteManifest(repositoryId: number, digest: string): Promise<boolean>;
  /** Manifests of the repository whose manifests (index) reference this one as a child. */
  parentsOf(repositoryId: number, digest: string): Promise<string[]>;

  listTags(repositoryId: number, page?: Page): Promise<string[]>;
  tagsOf(repositoryId: number, digest: string): Promise<TagRow[]>;
  /** Deletes the tag; with `expectedDigest`, only while it still points there (retention vs. a concurrent push). */
  deleteTag(repositoryId: number, tag: string, expectedDigest?: string): Promise<boolean>;

  /** Manifests in the repository whose subject is `digest`, optionally of one artifactType. */
  listReferrers(repositoryId: number, subject: string, artifactType?: string): Promise<ReferrerRow[]>;
}

// ---- lifecycle (0300_lifecycle): GC, retention, immutability, quotas

/** linkBlob/claimBlob met a blob that GC is deleting; wait until it is gone, then write it again. */
export class BlobDeletingError extends Error {
  constructor(readonly digest: string) {
    super(`blob ${digest} is being garbage-collected`);
    this.name = 'BlobDeletingError';
  }
}

/** putManifest with requireBlobLinks found blobs no longer linked to the repository (GC removed them). */
export class MissingBlobLinksError extends Error {
  constructor(readonly digests: string[]) {
    super(`blobs not linked to the repository: ${digests.join(', ')}`);
    this.name = 'MissingBlobLinksError';
  }
}

/** putManifest with immutableTag found the tag pointing at another digest. */
export class ImmutableTagError extends Error {
  constructor(
    readonly tag: string,
    readonly currentDigest: string,
  ) {
    super(`tag ${tag} is immutable (it points at ${currentDigest})`);
    this.name = 'ImmutableTagError';
  }
}

export interface PutManifestOptions {
  /**
   * Re-touch (linked_at = now) every blob reference's repository link inside the commit
   * transaction and fail with MissingBlobLinksError if any is gone: GC only removes links older
   * than its grace period, and the touch makes a concurrent GC skip (or wait for) the row.
   */
  requireBlobLinks?: boolean;
  /** Refuse (ImmutableTagError) to move the tag if it already points at another digest. */
  immutableTag?: boolean;
}

export interface ImmutableTagRule {
  id: number;
  repositoryPattern: string;
  tagPattern: string;
  createdAt: Date;
}

export interface RetentionPolicyInput {
  repositoryPattern: string;
  tagPattern: string;
  /** Keep the last N tags (by push time) matching the patterns per repository. */
  keepLast?: number | null;
  /** Delete untagged manifests older than D days. */
  untaggedDays?: number | null;
  /** Delete manifests not pulled (or pushed) in D days. */
  unpulledDays?: number | null;
}

export interface RetentionPolicy extends Required<RetentionPolicyInput> {
  id: number;
  createdAt: Date;
}

export interface ProjectQuota {
  project: string;
  limitBytes: number;
  updatedAt: Date;
}

/** One manifest as retention sees it. */
export interface RetentionManifest {
  digest: string;
  subject: string | null;
  createdAt: Date;
  lastPulledAt: Date | null;
  tags: TagRow[];
  /** Some other manifest of the repository (an index) references it as a child. */
  hasParent: boolean;
}

export interface LifecycleStore {
  /**
   * Makes sure the blob row exists and is live, refreshing touched_at (before an upload commit
   * or mount writes it). False when GC is deleting it (the caller waits and retries).
   */
  claimBlob(digest: string, size: number): Promise<boolean>;
  /** Sets linked_at = now on these links; returns the digests whose link exists. */
  touchLinks(repositoryId: number, digests: string[]): Promise<Set<string>>;
  /** Deletes the link if older than `olderThan` AND no manifest of the repository references the blob (one statement). */
  removeDanglingLink(repositoryId: number, digest: string, olderThan: Date): Promise<boolean>;
  /** Marks the blob `deleting` if live, untouched since `olderThan`, unlinked and unreferenced (one statement). */
  markBlobDeleting(digest: string, olderThan: Date): Promise<boolean>;
  /** Blobs in state `deleting` marked before `markedBefore` (a crashed GC's leftovers). */
  deletingBlobs(markedBefore: Date, limit?: number): Promise<string[]>;
  /** Removes the blob row if still `deleting` (after its bytes were deleted). */
  finishBlobDeletion(digest: string): Promise<boolean>;
  /** Per digest: number of repository links and of manifest references (for GC's dry run). */
  blobUsage(digests: string[]): Promise<Map<string, { links: number; references: number }>>;
  /** Size and state of a blob row. */
  blobInfo(digest: string): Promise<{ size: number; state: 'live' | 'deleting' } | undefined>;

  recordPull(repositoryId: number, digest: string, at: Date): Promise<void>;
  /** Every repository with its id, in name order. */
  allRepositories(): Promise<Array<{ id: number; name: string }>>;
  retentionManifests(repositoryId: number): Promise<RetentionManifest[]>;

  /** Bytes of the distinct blobs linked in the project's repositories (`project` and `project/...`). */
  projectUsage(project: string): Promise<number>;
  /** Whether the blob is linked in some repository of the project. */
  projectHasBlob(project: string, digest: string): Promise<boolean>;
  getQuota(project: string): Promise<ProjectQuota | undefined>;
  setQuota(project: string, limitBytes: number): Promise<void>;
  deleteQuota(project: string): Promise<boolean>;
  listQuotas(): Promise<ProjectQuota[]>;

  listImmutableTagRules(): Promise<ImmutableTagRule[]>;
  addImmutableTagRule(repositoryPattern: string, tagPattern: string): Promise<ImmutableTagRule>;
  deleteImmutableTagRule(id: number): Promise<boolean>;

  listRetentionPolicies(): Promise<RetentionPolicy[]>;
  addRetentionPolicy(policy: RetentionPolicyInput): Promise<RetentionPolicy>;
  deleteRetentionPolicy(id: number): Promise<boolean>;
}
