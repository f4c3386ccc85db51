import type { KeyObject } from 'node:crypto';
import type { Descriptor, ImageManifest } from '../image/manifest.js';
import { parseManifest } from '../image/manifest.js';
import { MediaType } from '../image/mediatypes.js';
import type { RegistryClient } from '../image/client/client.js';
import { RegistryError } from '../image/client/errors.js';
import { referenceTarget, type ImageReference } from '../image/client/reference.js';
import { attestationLayer, COSIGN_SIGN_PREDICATE, inTotoStatement, predicateFromFile, predicateTypeFor, signStatement, subjectFor } from './attest.js';
import { bundleAnnotations, bundleReferrerManifest, dsseBundle, keyId, serializeBundle } from './bundle.js';
import { buildCosignManifest, cosignTag, dockerReference, signImage, type LayerEntry } from './simplesigning.js';

/** Signing flows against a registry: resolve the image, sign, push the cosign layout and bundle referrers. */

export interface ResolvedImage {
  repository: string;
  digest: string;
  mediaType: string;
  size: number;
  /** The identity written into signatures (`host/repository`). */
  identity: string;
}

export async function resolveImage(client: RegistryClient, ref: ImageReference): Promise<ResolvedImage> {
  const info = await client.headManifest(ref.repository, referenceTarget(ref));
  if (!info) throw new Error(`image ${ref.registry}/${ref.repository}:${referenceTarget(ref)} not found`);
  if (ref.digest && info.digest !== ref.digest) throw new Error(`registry answered ${info.digest} for ${ref.digest}`);
  let { mediaType, size } = info;
  if (!mediaType || size === 0) {
    const full = await client.getManifest(ref.repository, info.digest);
    mediaType = full.mediaType;
    size = full.bytes.length;
  }
  return { repository: ref.repository, digest: info.digest, mediaType, size, identity: dockerReference(ref) };
}

/** The image manifest under a tag, or undefined when the tag does not exist. */
export async function getTaggedManifest(client: RegistryClient, repo: string, tag: string): Promise<ImageManifest | undefined> {
  try {
    const m = await client.getManifest(repo, tag);
    const parsed = parseManifest(m.bytes, m.mediaType);
    if (parsed.kind !== 'manifest') throw new Error(`${repo}:${tag} is an index, not a cosign signature manifest`);
    return parsed.manifest;
  } catch (err) {
    if (err instanceof RegistryError && err.notFound) return undefined;
    throw err;
  }
}

async function uploadAll(client: RegistryClient, repo: string, blobs: Buffer[]): Promise<void> {
  for (const b of blobs) await client.uploadBlob(repo, b);
}

/** Adds layers to the `.sig` / `.att` manifest of an image (read, append, write back). */
async function appendToTag(client: RegistryClient, img: ResolvedImage, suffix: 'sig' | 'att', entries: LayerEntry[]): Promise<string> {
  const tag = cosignTag(img.digest, suffix);
  const existing = await getTaggedManifest(client, img.repository, tag);
  const built = buildCosignManifest(existing, entries);
  await uploadAll(client, img.repository, [...built.blobs, built.config]);
  const put = await client.putManifest(img.repository, tag, built.manifest, MediaType.OciManifest);
  return put.digest;
}

async function pushBundle(client: RegistryClient, img: ResolvedImage, bundle: Buffer, annotations: Record<string, string>): Promise<{ digest: string; usedTagFallback: boolean }> {
  const subject: Descriptor = { mediaType: img.mediaType, digest: img.digest, size: img.size };
  const art = bundleReferrerManifest(bundle, subject, annotations);
  await uploadAll(client, img.repository, art.blobs);
  return client.pushReferrer(img.repository, art.manifest, MediaType.OciManifest);
}

export interface SignOptions {
  /** Also attach a Sigstore bundle (DSSE) as an OCI 1.1 referrer. */
  bundle?: boolean;
  /** Extra claims for the payload's `optional` section. */
  annotations?: Record<string, string>;
}

export interface SignResult {
  image: ResolvedImage;
  signatureTag: string;
  signatureManifest: string;
  bundleManifest?: string;
  bundleUsedTagFallback?: boolean;
}

export async function signRemote(client: RegistryClient, ref: ImageReference, privateKey: KeyObject, opts: SignOptions = {}): Promise<SignResult> {
  const img = await resolveImage(client, ref);
  const layer = signImage(img.identity, img.digest, privateKey, opts.annotations);
  const signatureManifest = await appendToTag(client, img, 'sig', [layer]);
  const result: SignResult = { image: img, signatureTag: cosignTag(img.digest, 'sig'), signatureManifest };
  if (opts.bundle) {
    const statement = inTotoStatement([subjectFor(img.identity, img.digest)], COSIGN_SIGN_PREDICATE, {});
    const bundle = serializeBundle(dsseBundle(signStatement(statement, privateKey, keyId(privateKey)), privateKey));
    const pushed = await pushBundle(client, img, bundle, bundleAnnotations('dsse-envelope', COSIGN_SIGN_PREDICATE));
    result.bundleManifest = pushed.digest;
    result.bundleUsedTagFallback = pushed.usedTagFallback;
  }
  return result;
}

export interface AttestOptions {
  /** `cyclonedx`, `vuln`, `custom`, … or a predicate type URI. */
  type: string;
  predicate: Buffer;
  /** Also write the `.att` tag layout older clients read (default true). */
  tagLayout?: boolean;
  now?: Date;
}

export interface AttestResult {
  image: ResolvedImage;
  predicateType: string;
  bundleManifest: string;
  attestationManifest?: string;
}

export async function attestRemote(client: RegistryClient, ref: ImageReference, privateKey: KeyObject, opts: AttestOptions): Promise<AttestResult> {
  const predicateType = predicateTypeFor(opts.type);
  const img = await resolveImage(client, ref);
  const statement = inTotoStatement([subjectFor(img.identity, img.digest)], predicateType, predicateFromFile(opts.type, opts.predicate, opts.now));
  const envelope = signStatement(statement, privateKey, keyId(privateKey));
  const bundle = serializeBundle(dsseBundle(envelope, privateKey));
  const pushed = await pushBundle(client, img, bundle, bundleAnnotations('dsse-envelope', predicateType, opts.now));
  const result: AttestResult = { image: img, predicateType, bundleManifest: pushed.digest };
  if (opts.tagLayout !== false) result.attestationManifest = await appendToTag(client, img, 'att', [attestationLayer(envelope, predicateType)]);
  return result;
}
