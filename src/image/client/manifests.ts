import { digestOf, isDigest, parseDigest } from '../digest.js';
import { baseMediaType } from '../manifest.js';
import { MANIFEST_MEDIA_TYPES } from '../mediatypes.js';
import { repositoryScope } from './auth.js';
import { DigestMismatchError, RegistryError } from './errors.js';
import { header, readBounded, toRegistryError } from './http.js';
import type { Transport } from './transport.js';

/** Manifest operations: get/head/put/delete, with the digest of every manifest verified. */

/** Manifests larger than this are refused (distribution's own limit is 4 MiB). */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

export interface FetchedManifest {
  bytes: Buffer;
  mediaType: string;
  digest: string;
}

export interface ManifestInfo {
  mediaType: string | undefined;
  digest: string;
  size: number;
}

export interface PutManifestResult {
  digest: string;
  /** The `OCI-Subject` header: present when the registry indexed the manifest's subject for the referrers API. */
  subject: string | undefined;
}

const ACCEPT = MANIFEST_MEDIA_TYPES.join(', ');

function mediaTypeOf(contentType: string | undefined, bytes: Buffer): string {
  const base = baseMediaType(contentType);
  if (base && base !== 'application/json' && base !== 'text/plain' && base !== 'application/octet-stream') return base;
  try {
    const doc = JSON.parse(bytes.toString('utf8')) as { mediaType?: unknown };
    if (typeof doc.mediaType === 'string') return doc.mediaType;
  } catch {
    // Not JSON: the caller's parser will say so; report what the server claimed.
  }
  return base ?? 'application/octet-stream';
}

/** Fetches a manifest by tag or digest; the bytes must hash to the digest asked for, or to the one the registry announced. */
export async function getManifest(t: Transport, repo: string, reference: string, accept: string = ACCEPT): Promise<FetchedManifest> {
  const res = await t.request({ method: 'GET', path: `/v2/${repo}/manifests/${reference}`, headers: { accept }, scopes: [repositoryScope(repo, 'pull')] });
  if (res.status !== 200) throw await toRegistryError(res, 'GET');
  const bytes = await readBounded(res.body, MAX_MANIFEST_BYTES, `manifest ${repo}:${reference}`);
  const announced = header(res.headers, 'docker-content-digest');
  const expected = isDigest(reference) ? reference : announced && isDigest(announced) ? announced : undefined;
  let digest: string;
  if (expected) {
    const actual = digestOf(bytes, parseDigest(expected)!.algorithm);
    if (actual !== expected) throw new DigestMismatchError(expected, actual, `manifest ${repo}:${reference}`);
    digest = expected;
  } else {
    digest = digestOf(bytes);
  }
  return { bytes, mediaType: mediaTypeOf(header(res.headers, 'content-type'), bytes), digest };
}

/** HEAD of a manifest; undefined when it does not exist. Falls back to GET when the registry omits the digest header. */
export async function headManifest(t: Transport, repo: string, reference: string): Promise<ManifestInfo | undefined> {
  const res = await t.request({ method: 'HEAD', path: `/v2/${repo}/manifests/${reference}`, headers: { accept: ACCEPT }, scopes: [repositoryScope(repo, 'pull')] });
  await res.body.dump();
  if (res.status === 404) return undefined;
  if (res.status !== 200) throw new RegistryError({ status: res.status, method: 'HEAD', url: res.url, errors: [] });
  const digest = header(res.headers, 'docker-content-digest');
  if (!digest || !isDigest(digest)) {
    const full = await getManifest(t, repo, reference);
    return { mediaType: full.mediaType, digest: full.digest, size: full.bytes.length };
  }
  const len = header(res.headers, 'content-length');
  return { mediaType: baseMediaType(header(res.headers, 'content-type')), digest, size: len && /^\d+$/.test(len) ? Number(len) : 0 };
}

export async function putManifest(t: Transport, repo: string, reference: string, bytes: Buffer, mediaType: string): Promise<PutManifestResult> {
  const digest = digestOf(bytes);
  const res = await t.request({
    method: 'PUT',
    path: `/v2/${repo}/manifests/${reference}`,
    headers: { 'content-type': mediaType, 'content-length': String(bytes.length) },
    body: bytes,
    scopes: [repositoryScope(repo, 'pull,push')],
  });
  if (res.status !== 201) throw await toRegistryError(res, 'PUT');
  await res.body.dump();
  const announced = header(res.headers, 'docker-content-digest');
  if (announced && parseDigest(announced)?.algorithm === 'sha256' && announced !== digest) {
    throw new DigestMismatchError(digest, announced, `manifest ${repo}:${reference} (registry stored other bytes)`);
  }
  return { digest, subject: header(res.headers, 'oci-subject') };
}

export async function deleteManifest(t: Transport, repo: string, reference: string): Promise<void> {
  const res = await t.request({ method: 'DELETE', path: `/v2/${repo}/manifests/${reference}`, scopes: [repositoryScope(repo, 'delete')] });
  if (res.status !== 202) throw await toRegistryError(res, 'DELETE');
  await res.body.dump();
}

const MAX_PAGES = 10_000;
const MAX_PAGE_BYTES = 8 * 1024 * 1024;

/** The `rel="next"` target of a Link header, if any. */
export function nextLink(link: string | undefined): string | undefined {
  if (!link) return undefined;
  for (const part of link.split(',')) {
    const m = /<([^>]*)>\s*;(.*)/.exec(part.trim());
    if (m && /rel="?next"?/i.test(m[2] ?? '')) return m[1];
  }
  return undefined;
}

/** Lists every tag, following `Link: <…>; rel="next"` pagination. */
export async function listTags(t: Transport, repo: string, pageSize?: number): Promise<string[]> {
  const tags: string[] = [];
  let path: string | undefined = `/v2/${repo}/tags/list${pageSize ? `?n=${pageSize}` : ''}`;
  const seen = new Set<string>();
  for (let page = 0; path !== undefined && page < MAX_PAGES; page++) {
    if (seen.has(path)) throw new Error(`registry ${t.registry}: tag pagination loops at ${path}`);
    seen.add(path);
    const res = await t.request({ method: 'GET', path, scopes: [repositoryScope(repo, 'pull')] });
    if (res.status !== 200) throw await toRegistryError(res, 'GET');
    const body = await readBounded(res.body, MAX_PAGE_BYTES, 'tag list');
    const doc = JSON.parse(body.toString('utf8')) as { tags?: unknown };
    if (doc.tags !== null && doc.tags !== undefined && !Array.isArray(doc.tags)) throw new Error(`registry ${t.registry}: malformed tag list`);
    for (const tag of (doc.tags as unknown[] | null | undefined) ?? []) if (typeof tag === 'string') tags.push(tag);
    const next = nextLink(header(res.headers, 'link'));
    path = next === undefined ? undefined : new URL(next, res.url).toString();
  }
  return tags;
}
