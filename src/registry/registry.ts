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
import { RegistryError } from './errors.js';
import { isValidRepositoryName, isValidTag } from './names.js';
import { negotiate } from './negotiate.js';
import { Uploads } from './uploads.js';

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
  manifestPut?(ctx: ManifestPushContext & { previousTagDigest?: string }): Promise<void> | void;
  manifestDeleted?(repository: string, digest: string): Promise<void> | void;
}

export interface RegistryOptions {
  blobs: BlobStore;
  meta: MetadataStore;
  maxManifestBytes?: number;
  hooks?: RegistryHooks;
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
  private readonly hooks: RegistryHooks;
  private readonly repoIds = new Map<string, number>();
  private readonly repoNames = new Map<number, string>();

  constructor(opts: RegistryOptions) {
    this.blobs = opts.blobs;
    this.meta = opts.meta;
    this.hooks = opts.hooks ?? {};
    this.maxManifestBytes = opts.maxManifestBytes ?? DEFAULT_MAX_MANIFEST_BYTES;
    this.uploads = new Uploads(this.blobs, this.meta, async (repositoryId, digest, size) => {
      await this.meta.linkBlob(repositoryId, digest, size);
      await this.hooks.blobCommitted?.(this.nameOf(repositoryId), digest, size, 'upload');
    });
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
  }

  /** Cross-repository mount; false when the source does not hold the blob (the client then uploads). */
  async mountBlob(repository: string, from: string, digest: string): Promise<boolean> {
    requireDigest(digest);
    if (!isValidRepositoryName(from)) return false;
    const fromId = (await this.meta.getRepository(from))?.id;
    if (fromId === undefined) return false;
    const size = await this.meta.linkedBlobSize(fromId, digest);
    if (size === undefined || (await this.blobs.stat(digest)) === undefined) return false;
    const repoId = await this.repositoryId(repository, true);
    await this.meta.linkBlob(repoId, digest, size);
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
    await this.checkReferences(repoId, parsed);
    const ctx: ManifestPushContext = { repository, repositoryId: repoId, digest, parsed, content };
    if (!byDigest) ctx.tag = reference;
    await this.hooks.beforeManifestPut?.(ctx);
    const m = parsed.manifest;
    const refs = [
      ...referencedBlobs(parsed).map((d) => ({ digest: d.digest, kind: 'blob' as const })),
      ...childManifests(parsed).map((d) => ({ digest: d.digest, kind: 'manifest' as const })),
    ];
    const { previousTagDigest } = await this.meta.putManifest(
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
    );
    await this.hooks.manifestPut?.(previousTagDigest ? { ...ctx, previousTagDigest } : ctx);
    return m.subject ? { digest, subject: m.subject.digest } : { digest };
  }

  private async checkReferences(repoId: number, parsed: ParsedManifest): Promise<void> {
    const blobs = referencedBlobs(parsed).map((d) => d.digest);
    if (blobs.length > 0) {
      const linked = await this.meta.linkedBlobs(repoId, blobs);
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

  /** Resolves a tag or digest to the stored manifest; `accept` is the client's Accept list. */
  async getManifest(repository: string, reference: string, accept?: string[]): Promise<StoredManifest> {
    const repoId = await this.repositoryId(repository);
    let row;
    if (isDigest(reference)) row = await this.meta.getManifest(repoId, reference);
    else if (isValidTag(reference)) row = await this.meta.getTaggedManifest(repoId, reference);
    else throw new RegistryError('MANIFEST_INVALID', `invalid reference ${JSON.stringify(reference)}`);
    if (!row) throw new RegistryError('MANIFEST_UNKNOWN', `manifest ${reference} unknown to registry`, { reference });
    const chosen = await negotiate(row, accept, (d) => this.meta.getManifest(repoId, d));
    return { digest: chosen.digest, mediaType: chosen.mediaType, content: chosen.content, subject: chosen.subject };
  }

  /** DELETE by digest removes the manifest and its tags; by tag, only the tag. */
  async deleteManifest(repository: string, reference: string): Promise<void> {
    const repoId = await this.repositoryId(repository);
    if (!isDigest(reference)) {
      if (!isValidTag(reference)) throw new RegistryError('MANIFEST_INVALID', `invalid reference ${JSON.stringify(reference)}`);
      if (!(await this.meta.deleteTag(repoId, reference))) throw new RegistryError('MANIFEST_UNKNOWN', undefined, { reference });
      return;
    }
    if (!(await this.meta.deleteManifest(repoId, reference))) throw new RegistryError('MANIFEST_UNKNOWN', undefined, { reference });
    await this.hooks.manifestDeleted?.(repository, reference);
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
