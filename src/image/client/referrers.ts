import { digestOf, parseDigest } from '../digest.js';
import { effectiveArtifactType, parseManifest, type Descriptor, type ImageIndex } from '../manifest.js';
import { MediaType } from '../mediatypes.js';
import { repositoryScope } from './auth.js';
import { RegistryError } from './errors.js';
import { header, readBounded, toRegistryError } from './http.js';
import { getManifest, nextLink, putManifest, MAX_MANIFEST_BYTES } from './manifests.js';
import type { Transport } from './transport.js';

/**
 * OCI 1.1 referrers: the `/referrers/<digest>` API when the registry has it, else the
 * referrers tag schema (an image index tagged `<alg>-<hex>`) that clients maintain themselves.
 */

export interface Referrers {
  manifests: Descriptor[];
  /** Where the list came from. */
  source: 'api' | 'tag';
}

/** The fallback tag for a subject digest: `sha256:abc…` → `sha256-abc…`. */
export function referrersTag(digest: string): string {
  const p = parseDigest(digest);
  if (!p) throw new Error(`invalid digest ${digest}`);
  return `${p.algorithm}-${p.hex}`;
}

/** Statuses with which registries without the API answer /referrers. */
const UNSUPPORTED = new Set([400, 404, 405, 501]);
const MAX_PAGES = 1000;

function filterByType(list: Descriptor[], artifactType: string | undefined): Descriptor[] {
  return artifactType === undefined ? list : list.filter((d) => d.artifactType === artifactType);
}

function parseIndex(bytes: Buffer, contentType: string | undefined, what: string): ImageIndex {
  const parsed = parseManifest(bytes, contentType);
  if (parsed.kind !== 'index') throw new Error(`${what}: expected an image index, got ${parsed.mediaType}`);
  return parsed.manifest;
}

export async function listReferrers(t: Transport, repo: string, digest: string, artifactType?: string): Promise<Referrers> {
  const q = artifactType ? `?artifactType=${encodeURIComponent(artifactType)}` : '';
  let path: string | undefined = `/v2/${repo}/referrers/${digest}${q}`;
  const manifests: Descriptor[] = [];
  for (let page = 0; path !== undefined && page < MAX_PAGES; page++) {
    const res = await t.request({ method: 'GET', path, headers: { accept: MediaType.OciIndex }, scopes: [repositoryScope(repo, 'pull')] });
    if (page === 0 && UNSUPPORTED.has(res.status)) {
      await res.body.dump();
      return { manifests: await referrersFromTag(t, repo, digest, artifactType), source: 'tag' };
    }
    if (res.status !== 200) throw await toRegistryError(res, 'GET');
    const bytes = await readBounded(res.body, MAX_MANIFEST_BYTES, 'referrers');
    const index = parseIndex(bytes, header(res.headers, 'content-type'), 'referrers response');
    const filtered = (header(res.headers, 'oci-filters-applied') ?? '').split(',').map((s) => s.trim()).includes('artifactType');
    manifests.push(...(filtered ? index.manifests : filterByType(index.manifests, artifactType)));
    const next = nextLink(header(res.headers, 'link'));
    path = next === undefined ? undefined : new URL(next, res.url).toString();
  }
  return { manifests, source: 'api' };
}

async function readFallbackIndex(t: Transport, repo: string, digest: string): Promise<ImageIndex | undefined> {
  try {
    const m = await getManifest(t, repo, referrersTag(digest));
    return parseIndex(m.bytes, m.mediaType, `referrers tag of ${digest}`);
  } catch (err) {
    if (err instanceof RegistryError && err.notFound) return undefined;
    throw err;
  }
}

export async function referrersFromTag(t: Transport, repo: string, digest: string, artifactType?: string): Promise<Descriptor[]> {
  const index = await readFallbackIndex(t, repo, digest);
  return filterByType(index?.manifests ?? [], artifactType);
}

export interface PushReferrerResult {
  digest: string;
  /** True when the registry lacked the referrers API and the fallback tag index was updated. */
  usedTagFallback: boolean;
}

/**
 * Pushes a manifest that has a `subject`. When the registry does not confirm with `OCI-Subject`,
 * the client must add the manifest to the subject's fallback tag index itself.
 */
export async function pushReferrer(t: Transport, repo: string, bytes: Buffer, mediaType: string): Promise<PushReferrerResult> {
  const parsed = parseManifest(bytes, mediaType);
  const subject = parsed.manifest.subject;
  if (!subject) throw new Error('pushReferrer: the manifest has no subject');
  const put = await putManifest(t, repo, digestOf(bytes), bytes, mediaType);
  if (put.subject !== undefined) return { digest: put.digest, usedTagFallback: false };
  const existing = await readFallbackIndex(t, repo, subject.digest);
  const list = existing?.manifests ?? [];
  if (!list.some((d) => d.digest === put.digest)) {
    const entry: Descriptor = { mediaType: parsed.mediaType, digest: put.digest, size: bytes.length };
    const at = effectiveArtifactType(parsed);
    if (at) entry.artifactType = at;
    if (parsed.manifest.annotations) entry.annotations = parsed.manifest.annotations;
    const index = { schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: [...list, entry] };
    await putManifest(t, repo, referrersTag(subject.digest), Buffer.from(JSON.stringify(index)), MediaType.OciIndex);
  }
  return { digest: put.digest, usedTagFallback: true };
}
