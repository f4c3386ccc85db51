import type { Readable } from 'node:stream';
import { digestOf, isDigest, parseDigest } from '../image/digest.js';
import {
  ManifestError,
  childManifests,
  effectiveArtifactType,
  parseManifest,
  referencedBlobs,
  type ParsedManifest,
} from '../image/manifest.js';
import { MediaType } from '../image/mediatypes.js';
import type { BlobStore, ByteRange } from '../storage/blobstore.js';
import type { MetadataStore, Page, ReferrerRow } from '../metadata/store.js';
import { BlobDeletingError, ImmutableTagError, MissingBlobLinksError } from '../metadata/store.js';
import { planAttachments } from './attachments.js';
import { RegistryError } from './errors.js';
import { TagImmutability, immutableError } from './immutability.js';
import { PullRecorder } from './pulls.js';
import { ProjectQuotas } from './quota.js';
import { RetentionPolicies } from './retention.js';
import { isValidRepositoryName, isValidTag } from './names.js';
import { negotiate } from './negotiate.js';
import { Uploads, type UploadTap } from './uploads.js';

export interface ManifestPushContext {
  repository: string;
  repositoryId: number;
  /** The tag being pushed, if the reference is a tag. */
  tag?: string;
  digest: string;
  parsed: ParsedManifest;
  content: Buffer;
}

/** Points where other modules (analysis, gates, audit) take part in the registry's work. */
export interface RegistryHooks {
  /** A blob became visible in a repository (upload committed or mounted). */
  blobCommitted?(repository: string, digest: string, size: number, how: 'upload' | 'mount'): Promise<void> | void;
  /** Before a manifest is stored; throw a RegistryError (DENIED) to refuse it. */
  beforeManifestPut?(ctx: ManifestPushContext): Promise<void>;
  /**
   * After a manifest is stored. `previousTagDigest` is where the tag pointed before (if it
   * existed); `tagMoved` is true when that was another digest (an audited change).
   */
  manifestPut?(ctx: ManifestPushContext & { previousTagDigest?: string; tagMoved?: boolean }): Promise<void> | void;
  manifestDeleted?(repository: string, digest: string): Promise<void> | void;
  /** Sees upload bytes as they stream in (e.g. to analyse a layer before it is committed). */
  uploadTap?: UploadTap;
}

export interface RegistryOptions {
  blobs: BlobStore;
  meta: MetadataStore;
  maxManifestBytes?: number;
  hooks?: RegistryHooks;
  lifecycle?: LifecycleOptions;
}

export interface LifecycleOptions {
  /** How long an upload commit or mount waits for GC to finish deleting the same digest (default 30 s). */
  blobDeletingWaitMs?: number;
  /** Minimum time between two recorded pulls of one manifest (default 60 s). */
  pullThrottleMs?: number;
  /** Cache lifetime of immutability rules and quota numbers (default 5 s / 2 s). */
  rulesCacheMs?: number;
  quotaCacheMs?: number;
  now?: () => number;
}

export interface StoredManifest {
  digest: string;
  mediaType: string;
  content: Buffer;
  subject: string | null;
}

export const DEFAULT_MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

/** The registry domain: repositories, blobs, uploads, manifests, tags and referrers. */
export class Registry {
  readonly blobs: BlobStore;
  readonly meta: MetadataStore;
  readonly uploads: Uploads;
  readonly maxManifestBytes: number;
  readonly immutability: TagImmutability;
  readonly quotas: ProjectQuotas;
  readonly retentionPolicies: RetentionPolicies;
  private readonly pulls: PullRecorder;
  private readonly blobDeletingWaitMs: number;
  private readonly hooks: RegistryHooks;
  private readonly repoIds = new Map<string, number>();
  private readonly repoNames = new Map<number, string>();

  constructor(opts: RegistryOptions) {
    this.blobs = opts.blobs;
    this.meta = opts.meta;
    this.hooks = opts.hooks ?? {};
    this.maxManifestBytes = opts.maxManifestBytes ?? DEFAULT_MAX_MANIFEST_BYTES;
    const lc = opts.lifecycle ?? {};
    const now = lc.now ?? Date.now;
    this.immutability = new TagImmutability(this.meta, { now, ...(lc.rulesCacheMs === undefined ? {} : { cacheMs: lc.rulesCacheMs }) });
    this.quotas = new ProjectQuotas(this.meta, { now, ...(lc.quotaCacheMs === undefined ? {} : { cacheMs: lc.quotaCacheMs }) });
    this.retentionPolicies = new RetentionPolicies(this.meta);
    this.pulls = new PullRecorder(this.meta, lc.pullThrottleMs ?? 60_000, now);
    this.blobDeletingWaitMs = lc.blobDeletingWaitMs ?? 30_000;
    this.uploads = new Uploads(
      this.blobs,
      this.meta,
      async (repositoryId, digest, size) => {
        const name = this.nameOf(repositoryId);
        await this.linkClaimed(repositoryId, digest, size);
        this.quotas.invalidate(name);
        await this.hooks.blobCommitted?.(name, digest, size, 'upload');
      },
      async (repositoryId, digest, size) => {
        await this.quotas.checkBlob(this.nameOf(repositoryId), digest, size);
        await this.claimBlob(digest, size, true);
      },
      this.hooks.uploadTap,
    );
  }

  /**
   * Makes the blob row live with a fresh touch time before its bytes are (re)written. While GC
   * is deleting the digest, waits (bounded) until GC is done with it; `wait` false answers
   * false at once instead (a mount then falls back to an upload).
   */
  private async claimBlob(digest: string, size: number, wait: boolean): Promise<boolean> {
    const deadline = Date.now() + this.blobDeletingWaitMs;
    for (let delay = 10; ; delay = Math.min(delay * 2, 250)) {
      if (await this.meta.claimBlob(digest, size)) return true;
      if (!wait) return false;
      if (Date.now() >= deadline) {
        throw new RegistryError('UNAVAILABLE', `blob ${digest} is being garbage-collected; retry the upload`, { digest }, { headers: { 'Retry-After': '5' } });
      }
      await new Promise((r) => setTimeout(r, delay));
    }
  }

  private async linkClaimed(repositoryId: number, digest: string, size: number): Promise<void> {
    try {
      await this.meta.linkBlob(repositoryId, digest, size);
    } catch (err) {
      // Only when the commit took longer than GC's grace period: refuse rather than link bytes GC is removing.
      if (err instanceof BlobDeletingError) throw new RegistryError('UNAVAILABLE', `blob ${digest} is being garbage-collected; retry the upload`, { digest });
      throw err;
    }
  }

  /** Repository id; with `create`, the repository is made on first write. */
  async repositoryId(name: string, create = false): Promise<number> {
    if (!isValidRepositoryName(name)) throw new RegistryError('NAME_INVALID', `invalid repository name ${JSON.stringify(name)}`);
    const cached = this.repoIds.get(name);
    if (cached !== undefined) return cached;
    let id: number | undefined;
    if (create) id = await this.meta.ensureRepository(name);
    else id = (await this.meta.getRepository(name))?.id;
    if (id === undefined) throw new RegistryError('NAME_UNKNOWN', `repository ${name} not known to registry`, { name });
    this.repoIds.set(name, id);
    this.repoNames.set(id, name);
    return id;
  }

  private nameOf(repositoryId: number): string {
    return this.repoNames.get(repositoryId) ?? '';
  }

  /** Forgets cached ids, e.g. after a repository was deleted. */
  forgetRepository(name: string): void {
    const id = this.repoIds.get(name);
    this.repoIds.delete(name);
    if (id !== undefined) this.repoNames.delete(id);
  }

  // ---- blobs

  async statBlob(repository: string, digest: string): Promise<number> {
    requireDigest(digest);
    const repoId = await this.repositoryId(repository);
    const size = await this.meta.linkedBlobSize(repoId, digest);
    if (size === undefined) throw new RegistryError('BLOB_UNKNOWN', `blob ${digest} unknown to registry`, { digest });
    return size;
  }

  async readBlob(repository: string, digest: string, range?: ByteRange): Promise<Readable> {
    await this.statBlob(repository, digest);
    return this.blobs.read(digest, range);
  }

  async deleteBlob(repository: string, digest: string): Promise<void> {
    requireDigest(digest);
    const repoId = await this.repositoryId(repository);
    if (!(await this.meta.unlinkBlob(repoId, digest))) throw new RegistryError('BLOB_UNKNOWN', undefined, { digest });
    this.quotas.invalidate(repository);
  }

  /** Cross-repository mount; false when the source does not hold the blob (the client then uploads). */
  async mountBlob(repository: string, from: string, digest: string): Promise<boolean> {
    requireDigest(digest);
    if (!isValidRepositoryName(from)) return false;
    const fromId = (await this.meta.getRepository(from))?.id;
    if (fromId === undefined) return false;
    const size = await this.meta.linkedBlobSize(fromId, digest);
    if (size === undefined) return false;
    await this.quotas.checkBlob(repository, digest, size);
    // Claimed (touched) before the storage check, so GC cannot start deleting it after the check.
    if (!(await this.claimBlob(digest, size, false))) return false;
    if ((await this.blobs.stat(digest)) === undefined) return false;
    const repoId = await this.repositoryId(repository, true);
    await this.linkClaimed(repoId, digest, size);
    this.quotas.invalidate(repository);
    await this.hooks.blobCommitted?.(repository, digest, size, 'mount');
    return true;
  }

  /** Whole-blob upload in one request (POST ?digest=). */
  async putBlob(repository: string, digest: string, body: Readable): Promise<number> {
    requireDigest(digest);
    const repoId = await this.repositoryId(repository, true);
    const id = await this.uploads.start(repoId);
    try {
      return await this.uploads.complete(repoId, id, digest, body);
    } catch (err) {
      await this.blobs.cancelUpload(id).catch(() => false);
      await this.meta.deleteUpload(id).catch(() => false);
      throw err;
    }
  }

  // ---- manifests

  async putManifest(repository: string, reference: string, content: Buffer, contentType: string | undefined): Promise<{ digest: string; subject?: string }> {
    if (content.length > this.maxManifestBytes) {
      throw new RegistryError('MANIFEST_INVALID', `manifest is ${content.length} bytes, the limit is ${this.maxManifestBytes}`, undefined, { status: 413 });
    }
    const byDigest = isDigest(reference);
    if (!byDigest && !isValidTag(reference)) throw new RegistryError('MANIFEST_INVALID', `invalid tag ${JSON.stringify(reference)}`);
    let digest = digestOf(content);
    if (byDigest) {
      const alg = parseDigest(reference)!.algorithm;
      if (alg !== 'sha256') digest = digestOf(content, alg);
      if (digest !== reference) throw new RegistryError('DIGEST_INVALID', `manifest digest is ${digest}, not ${reference}`);
    }
    let parsed: ParsedManifest;
    try {
      parsed = parseManifest(content, contentType);
    } catch (err) {
      if (err instanceof ManifestError) throw new RegistryError('MANIFEST_INVALID', err.message);
      throw err;
    }
    const repoId = await this.repositoryId(repository, true);
    const immutableTag = !byDigest && (await this.immutability.ruleFor(repository, reference)) !== undefined;
    if (immutableTag) {
      const current = await this.meta.resolveTag(repoId, reference);
      if (current !== undefined && current !== digest) throw immutableError(repository, reference, 'move', await this.immutability.ruleFor(repository, reference));
    }
    await this.checkReferences(repoId, parsed);
    await this.quotas.checkProject(repository);
    const ctx: ManifestPushContext = { repository, repositoryId: repoId, digest, parsed, content };
    if (!byDigest) ctx.tag = reference;
    await this.hooks.beforeManifestPut?.(ctx);
    const m = parsed.manifest;
    const refs = [
      ...referencedBlobs(parsed).map((d) => ({ digest: d.digest, kind: 'blob' as const })),
      ...childManifests(parsed).map((d) => ({ digest: d.digest, kind: 'manifest' as const })),
    ];
    const { previousTagDigest } = await this.commitManifest(
      repository,
      repoId,
      {
        digest,
        mediaType: parsed.mediaType,
        artifactType: effectiveArtifactType(parsed),
        subject: m.subject?.digest,
        configDigest: parsed.kind === 'manifest' ? parsed.manifest.config.digest : undefined,
        annotations: m.annotations,
        content,
        references: refs,
      },
      byDigest ? undefined : reference,
      immutableTag,
    );
    await this.hooks.manifestPut?.(previousTagDigest ? { ...ctx, previousTagDigest, tagMoved: previousTagDigest !== digest } : ctx);
    return m.subject ? { digest, subject: m.subject.digest } : { digest };
  }

  private async commitManifest(
    repository: string,
    repoId: number,
    input: Parameters<MetadataStore['putManifest']>[1],
    tag: string | undefined,
    immutableTag: boolean,
  ): Promise<{ previousTagDigest?: string }> {
    try {
      return await this.meta.putManifest(repoId, input, tag, { requireBlobLinks: true, immutableTag });
    } catch (err) {
      if (err instanceof MissingBlobLinksError) {
        throw new RegistryError('MANIFEST_BLOB_UNKNOWN', `blob ${err.digests[0]} unknown to registry`, { digest: err.digests[0] });
      }
      if (err instanceof ImmutableTagError) throw immutableError(repository, err.tag, 'move');
      throw err;
    }
  }

  /**
   * Touches (linked_at = now) the repository links of every referenced blob, then checks they
   * exist: GC never removes a link younger than its grace period, so what this finds stays until
   * the commit (which touches them again inside its transaction).
   */
  private async checkReferences(repoId: number, parsed: ParsedManifest): Promise<void> {
    const blobs = referencedBlobs(parsed).map((d) => d.digest);
    if (blobs.length > 0) {
      const linked = await this.meta.touchLinks(repoId, blobs);
      const missing = blobs.find((d) => !linked.has(d));
      if (missing) throw new RegistryError('MANIFEST_BLOB_UNKNOWN', `blob ${missing} unknown to registry`, { digest: missing });
    }
    const children = childManifests(parsed).map((d) => d.digest);
    if (children.length > 0) {
      const existing = await this.meta.existingManifests(repoId, children);
      const missing = children.find((d) => !existing.has(d));
      if (missing) throw new RegistryError('MANIFEST_BLOB_UNKNOWN', `manifest ${missing} unknown to registry`, { digest: missing });
    }
  }

  /** Resolves a tag or digest to the stored manifest; `accept` is the client's Accept list. Records the pull (throttled) unless `recordPull` is false. */
  async getManifest(repository: string, reference: string, accept?: string[], opts: { recordPull?: boolean } = {}): Promise<StoredManifest> {
    const repoId = await this.repositoryId(repository);
    let row;
    if (isDigest(reference)) row = await this.meta.getManifest(repoId, reference);
    else if (isValidTag(reference)) row = await this.meta.getTaggedManifest(repoId, reference);
    else throw new RegistryError('MANIFEST_INVALID', `invalid reference ${JSON.stringify(reference)}`);
    if (!row) throw new RegistryError('MANIFEST_UNKNOWN', `manifest ${reference} unknown to registry`, { reference });
    const chosen = await negotiate(row, accept, (d) => this.meta.getManifest(repoId, d));
    // HEAD counts too by default: clients that find their image up to date only HEAD it.
    if (opts.recordPull !== false) {
      this.pulls.record(repoId, row.digest);
      if (chosen.digest !== row.digest) this.pulls.record(repoId, chosen.digest);
    }
    return { digest: chosen.digest, mediaType: chosen.mediaType, content: chosen.content, subject: chosen.subject };
  }

  /** DELETE by digest removes the manifest, its tags and its attachments (signatures, attestations); by tag, only the tag. */
  async deleteManifest(repository: string, reference: string): Promise<void> {
    const repoId = await this.repositoryId(repository);
    if (!isDigest(reference)) {
      if (!isValidTag(reference)) throw new RegistryError('MANIFEST_INVALID', `invalid reference ${JSON.stringify(reference)}`);
      await this.immutability.assertMutable(repository, reference, 'delete');
      if (!(await this.meta.deleteTag(repoId, reference))) throw new RegistryError('MANIFEST_UNKNOWN', undefined, { reference });
      return;
    }
    // Its signatures and attestations go with it; every tag that would vanish is checked first,
    // so an immutable one refuses the whole deletion rather than half of it.
    const attached = await planAttachments(this.meta, repoId, reference);
    const tags = [...(await this.meta.tagsOf(repoId, reference)).map((t) => t.name), ...attached.tags];
    for (const t of tags) await this.immutability.assertMutable(repository, t, 'delete');
    if (!(await this.meta.deleteManifest(repoId, reference))) throw new RegistryError('MANIFEST_UNKNOWN', undefined, { reference });
    await this.hooks.manifestDeleted?.(repository, reference);
    for (const t of attached.tagsOnly) await this.meta.deleteTag(repoId, t.tag, t.digest);
    for (const d of attached.manifests) {
      if (await this.meta.deleteManifest(repoId, d)) await this.hooks.manifestDeleted?.(repository, d);
    }
  }

  // ---- listings

  async listTags(repository: string, page: Page): Promise<string[]> {
    const repoId = await this.repositoryId(repository);
    return this.meta.listTags(repoId, page);
  }

  async catalog(page: Page): Promise<string[]> {
    return this.meta.listRepositories(page);
  }

  async referrers(repository: string, digest: string, artifactType?: string): Promise<ReferrerRow[]> {
    requireDigest(digest);
    let repoId: number;
    try {
      repoId = await this.repositoryId(repository);
    } catch (err) {
      // An unknown repository has no referrers; the spec wants an empty index, not an error.
      if (err instanceof RegistryError && err.code === 'NAME_UNKNOWN') return [];
      throw err;
    }
    return this.meta.listReferrers(repoId, digest, artifactType);
  }
}

function requireDigest(digest: string): void {
  if (!isDigest(digest)) throw new RegistryError('DIGEST_INVALID', `invalid digest ${JSON.stringify(digest)}`, { digest });
}

export const REFERRERS_INDEX_MEDIA_TYPE = MediaType.OciIndex;
