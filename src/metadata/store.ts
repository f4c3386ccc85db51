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

export interface MetadataStore {
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

  /** Records that a blob (already in the BlobStore) belongs to a repository. Idempotent. */
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
  putManifest(repositoryId: number, manifest: ManifestInput, tag?: string): Promise<{ previousTagDigest?: string }>;
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
  deleteTag(repositoryId: number, tag: string): Promise<boolean>;

  /** Manifests in the repository whose subject is `digest`, optionally of one artifactType. */
  listReferrers(repositoryId: number, subject: string, artifactType?: string): Promise<ReferrerRow[]>;
}
