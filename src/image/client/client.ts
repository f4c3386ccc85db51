import type { Readable } from 'node:stream';
import * as blobs from './blobs.js';
import { dockerConfigResolver, chainResolvers, staticCredentials, type Credentials, type CredentialResolver } from './credentials.js';
import { toRegistryError } from './http.js';
import * as manifests from './manifests.js';
import { parseReference, type ImageReference } from './reference.js';
import * as referrers from './referrers.js';
import { Transport, type RegistryClientOptions } from './transport.js';

/**
 * A client for one registry speaking the OCI distribution API (and Docker Registry HTTP API v2).
 * Repository names are paths inside that registry (`library/debian`).
 */
export class RegistryClient {
  private readonly t: Transport;

  constructor(opts: RegistryClientOptions) {
    this.t = new Transport(opts);
  }

  /** A client for a reference's registry, with the reference parsed. */
  static forReference(reference: string, opts: Omit<RegistryClientOptions, 'registry'> = {}): { client: RegistryClient; ref: ImageReference } {
    const ref = parseReference(reference);
    return { client: new RegistryClient({ ...opts, registry: ref.registry }), ref };
  }

  get registry(): string {
    return this.t.registry;
  }

  get baseUrl(): string {
    return this.t.baseUrl;
  }

  /** GET /v2/ with credentials: resolves when the registry is reachable and accepts us. */
  async ping(): Promise<void> {
    const res = await this.t.request({ method: 'GET', path: '/v2/', scopes: [] });
    if (res.status !== 200) throw await toRegistryError(res, 'GET');
    await res.body.dump();
  }

  getManifest(repo: string, reference: string, accept?: string): Promise<manifests.FetchedManifest> {
    return manifests.getManifest(this.t, repo, reference, accept);
  }

  headManifest(repo: string, reference: string): Promise<manifests.ManifestInfo | undefined> {
    return manifests.headManifest(this.t, repo, reference);
  }

  putManifest(repo: string, reference: string, bytes: Buffer, mediaType: string): Promise<manifests.PutManifestResult> {
    return manifests.putManifest(this.t, repo, reference, bytes, mediaType);
  }

  deleteManifest(repo: string, reference: string): Promise<void> {
    return manifests.deleteManifest(this.t, repo, reference);
  }

  listTags(repo: string, pageSize?: number): Promise<string[]> {
    return manifests.listTags(this.t, repo, pageSize);
  }

  getBlob(repo: string, digest: string, expectedSize?: number): Promise<blobs.BlobStream> {
    return blobs.getBlob(this.t, repo, digest, expectedSize);
  }

  getBlobBytes(repo: string, digest: string, max = 64 * 1024 * 1024): Promise<Buffer> {
    return blobs.getBlobBytes(this.t, repo, digest, max);
  }

  headBlob(repo: string, digest: string): Promise<{ size: number } | undefined> {
    return blobs.headBlob(this.t, repo, digest);
  }

  uploadBlob(repo: string, data: Buffer | Readable, opts?: blobs.UploadOptions): Promise<blobs.UploadResult> {
    return blobs.uploadBlob(this.t, repo, data, opts);
  }

  mountBlob(repo: string, digest: string, fromRepo: string): Promise<boolean> {
    return blobs.mountBlob(this.t, repo, digest, fromRepo);
  }

  deleteBlob(repo: string, digest: string): Promise<void> {
    return blobs.deleteBlob(this.t, repo, digest);
  }

  /** Referrers of a manifest: the API, or the `sha256-<hex>` tag index when the registry lacks it. */
  listReferrers(repo: string, digest: string, artifactType?: string): Promise<referrers.Referrers> {
    return referrers.listReferrers(this.t, repo, digest, artifactType);
  }

  /** Pushes a manifest with a `subject`, maintaining the fallback tag index when the registry does not. */
  pushReferrer(repo: string, bytes: Buffer, mediaType: string): Promise<referrers.PushReferrerResult> {
    return referrers.pushReferrer(this.t, repo, bytes, mediaType);
  }

  close(): Promise<void> {
    return this.t.close();
  }
}

/**
 * The credential resolver the CLI uses: explicit credentials for their registry first, then the
 * docker config (`DOCKER_CONFIG` / `~/.docker/config.json`) with its helpers.
 */
export function defaultCredentials(explicit?: { registry: string; credentials: Credentials }): CredentialResolver {
  return chainResolvers(explicit ? staticCredentials(explicit.credentials, explicit.registry) : undefined, dockerConfigResolver());
}
