import type { Readable } from 'node:stream';
import { digestOf, parseDigest } from '../image/digest.js';
import { parseManifest, type ImageManifest } from '../image/manifest.js';
import { MediaType } from '../image/mediatypes.js';
import type { PolicySignature } from '../policy/input.js';
import { signatureFacts } from '../policy/from-signatures.js';
import { RegistryError } from '../registry/errors.js';
import type { Registry } from '../registry/registry.js';
import { COSIGN_SIGN_PREDICATE } from './attest.js';
import { BUNDLE_V03_MEDIA_TYPE } from './bundle.js';
import type { Finding } from './remote-verify.js';
import { cosignTag, SIGNATURE_ANNOTATION } from './simplesigning.js';
import { verifyBundle, verifySimpleSigning, type TrustedKey, type Verdict } from './verify.js';

/**
 * The pull gate's signature check: reads an image's cosign `.sig` manifest and its Sigstore
 * bundle referrers straight from the registry's stores (no HTTP round trip to itself) and
 * verifies them offline against the project's trusted keys. Every read is bounded, since
 * whoever can push to the repository chose these bytes.
 */

export const STORED_LIMITS = {
  /** A simple-signing payload is a few hundred bytes. */
  maxPayloadBytes: 1024 * 1024,
  maxBundleBytes: 4 * 1024 * 1024,
  /** Signature layers and bundle referrers looked at per image (the rest is ignored). */
  maxSignatures: 64,
  maxReferrers: 64,
};

const PREDICATE_TYPE_ANNOTATION = 'dev.sigstore.bundle.predicateType';

export interface NamedKey extends TrustedKey {
  /** The name policies refer to. */
  name: string;
}

/** Signature facts of `digest` in `repository`: the trusted keys whose signature verified, else why none did. */
export async function verifyStoredSignatures(registry: Registry, repository: string, digest: string, keys: readonly NamedKey[]): Promise<PolicySignature> {
  if (keys.length === 0) return signatureFacts([], keys);
  const findings = await storedSignatureFindings(registry, repository, digest, keys);
  return signatureFacts(findings, keys);
}

/** Every signature found for `digest`, each with its verdict. */
export async function storedSignatureFindings(registry: Registry, repository: string, digest: string, keys: readonly TrustedKey[]): Promise<Finding[]> {
  const trusted = [...keys];
  return [...(await simpleSigningFindings(registry, repository, digest, trusted)), ...(await bundleFindings(registry, repository, digest, trusted))];
}

async function simpleSigningFindings(registry: Registry, repository: string, digest: string, keys: TrustedKey[]): Promise<Finding[]> {
  const tag = cosignTag(digest, 'sig');
  const manifest = await storedImageManifest(registry, repository, tag);
  if (manifest === undefined) return [];
  if (typeof manifest === 'string') return [{ source: tag, ok: false, reason: 'payload-malformed', message: manifest }];
  const out: Finding[] = [];
  const layers = manifest.layers.filter((l) => l.mediaType === MediaType.CosignSimpleSigning).slice(0, STORED_LIMITS.maxSignatures);
  for (const layer of layers) {
    const source = `${tag} layer ${layer.digest}`;
    const signature = layer.annotations?.[SIGNATURE_ANNOTATION];
    if (!signature) {
      out.push({ source, ok: false, reason: 'signature-malformed', message: 'layer has no signature annotation' });
      continue;
    }
    const payload = await readBounded(registry, repository, layer.digest, STORED_LIMITS.maxPayloadBytes);
    if (typeof payload === 'string') {
      out.push({ source, ok: false, reason: 'fetch-failed', message: payload });
      continue;
    }
    out.push(toFinding(source, verifySimpleSigning({ payload, signature, layerDigest: layer.digest }, keys, { manifestDigest: digest })));
  }
  return out;
}

async function bundleFindings(registry: Registry, repository: string, digest: string, keys: TrustedKey[]): Promise<Finding[]> {
  const out: Finding[] = [];
  // The predicate-type annotation (cosign writes it) sets attestations aside before any work: they
  // are not signatures, and a wrong key must not turn each of them into a problem. It is only a
  // hint; whatever is verified below is still checked for the sign predicate.
  const referrers = (await registry.referrers(repository, digest, BUNDLE_V03_MEDIA_TYPE))
    .filter((r) => (r.annotations?.[PREDICATE_TYPE_ANNOTATION] ?? COSIGN_SIGN_PREDICATE) === COSIGN_SIGN_PREDICATE)
    .slice(0, STORED_LIMITS.maxReferrers);
  for (const r of referrers) {
    const source = `referrer ${r.digest}`;
    const manifest = await storedImageManifest(registry, repository, r.digest);
    if (manifest === undefined) continue; // deleted since it was listed
    if (typeof manifest === 'string') {
      out.push({ source, ok: false, reason: 'bundle-malformed', message: manifest });
      continue;
    }
    for (const layer of manifest.layers.filter((l) => l.mediaType === BUNDLE_V03_MEDIA_TYPE).slice(0, STORED_LIMITS.maxSignatures)) {
      const bytes = await readBounded(registry, repository, layer.digest, STORED_LIMITS.maxBundleBytes);
      if (typeof bytes === 'string') {
        out.push({ source, ok: false, reason: 'fetch-failed', message: bytes });
        continue;
      }
      if (!matchesDigest(bytes, layer.digest)) {
        out.push({ source, ok: false, reason: 'payload-digest-mismatch', message: `bundle does not hash to its layer digest ${layer.digest}` });
        continue;
      }
      const v = verifyBundle(bytes, keys, { manifestDigest: digest, predicateType: COSIGN_SIGN_PREDICATE });
      // Attestation bundles share the media type; they are not signatures of the image.
      if (!v.ok && v.reason === 'predicate-type-mismatch') continue;
      out.push(toFinding(source, v));
    }
  }
  return out;
}

function toFinding(source: string, v: Verdict<unknown>): Finding {
  return v.ok ? { source, ok: true, keyId: v.keyId } : { source, ok: false, reason: v.reason, message: v.message };
}

function matchesDigest(bytes: Buffer, digest: string): boolean {
  const alg = parseDigest(digest)?.algorithm;
  return alg !== undefined && digestOf(bytes, alg) === digest;
}

/** The image manifest under a tag or digest; undefined when absent, a message when it is not an image manifest. */
async function storedImageManifest(registry: Registry, repository: string, reference: string): Promise<ImageManifest | string | undefined> {
  let stored;
  try {
    stored = await registry.getManifest(repository, reference, undefined, { recordPull: false });
  } catch (err) {
    if (err instanceof RegistryError && (err.code === 'MANIFEST_UNKNOWN' || err.code === 'NAME_UNKNOWN')) return undefined;
    throw err;
  }
  try {
    const parsed = parseManifest(stored.content, stored.mediaType);
    return parsed.kind === 'manifest' ? parsed.manifest : `${reference} is an index, not a signature manifest`;
  } catch (err) {
    return `${reference}: ${err instanceof Error ? err.message : String(err)}`;
  }
}

/** The blob's bytes, or why they were not read (unknown, or larger than `max`). */
async function readBounded(registry: Registry, repository: string, digest: string, max: number): Promise<Buffer | string> {
  let size: number;
  try {
    size = await registry.statBlob(repository, digest);
  } catch (err) {
    if (err instanceof RegistryError) return `blob ${digest}: ${err.message}`;
    throw err;
  }
  if (size > max) return `blob ${digest} is ${size} bytes, more than the ${max} a signature may have`;
  const stream: Readable = await registry.readBlob(repository, digest);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > max) {
      stream.destroy();
      return `blob ${digest} is larger than the ${max} bytes a signature may have`;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
