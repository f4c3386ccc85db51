import { sign, type KeyObject } from 'node:crypto';
import { digestOf, parseDigest } from '../image/digest.js';
import type { Descriptor, ImageManifest } from '../image/manifest.js';
import { MediaType } from '../image/mediatypes.js';
import { DOCKER_HUB, type ImageReference } from '../image/client/reference.js';

/**
 * cosign's "simple signing" signatures: a JSON payload naming the image digest, an ECDSA P-256
 * SHA-256 DER signature over the payload bytes (base64), stored as layers of an OCI manifest
 * tagged `sha256-<hex>.sig` in the image's repository.
 */

export const COSIGN_SIGNATURE_TYPE = 'cosign container image signature';
export const SIGNATURE_ANNOTATION = 'dev.cosignproject.cosign/signature';

export interface SimpleSigningPayload {
  critical: {
    identity: { 'docker-reference': string };
    image: { 'docker-manifest-digest': string };
    type: string;
  };
  optional: Record<string, unknown> | null;
}

/** The identity cosign writes: the repository without tag or digest; Docker Hub as `index.docker.io`. */
export function dockerReference(ref: Pick<ImageReference, 'registry' | 'repository'>): string {
  const host = ref.registry === DOCKER_HUB ? 'index.docker.io' : ref.registry;
  return `${host}/${ref.repository}`;
}

/** The payload bytes, with keys in the order cosign (Go's encoding/json) writes them. */
export function simpleSigningPayload(identity: string, manifestDigest: string, optional?: Record<string, unknown>): Buffer {
  if (!parseDigest(manifestDigest)) throw new Error(`invalid manifest digest ${manifestDigest}`);
  const doc: SimpleSigningPayload = {
    critical: {
      identity: { 'docker-reference': identity },
      image: { 'docker-manifest-digest': manifestDigest },
      type: COSIGN_SIGNATURE_TYPE,
    },
    optional: optional && Object.keys(optional).length > 0 ? optional : null,
  };
  return Buffer.from(JSON.stringify(doc));
}

/** ECDSA P-256 over SHA-256, DER-encoded, base64: the annotation value cosign stores. */
export function signBytes(data: Uint8Array, privateKey: KeyObject): string {
  return sign('sha256', data, { key: privateKey, dsaEncoding: 'der' }).toString('base64');
}

/** `sha256:abc…` → `sha256-abc….sig` (`.att` for attestations). */
export function cosignTag(manifestDigest: string, suffix: 'sig' | 'att'): string {
  const p = parseDigest(manifestDigest);
  if (!p) throw new Error(`invalid digest ${manifestDigest}`);
  return `${p.algorithm}-${p.hex}.${suffix}`;
}

export interface LayerEntry {
  /** Blob bytes of the layer (payload or DSSE envelope). */
  blob: Buffer;
  mediaType: string;
  annotations: Record<string, string>;
}

export interface BuiltArtifact {
  manifest: Buffer;
  config: Buffer;
  /** Blobs the registry must have before the manifest is pushed (new layers only). */
  blobs: Buffer[];
}

/** cosign's config for signature images: an empty image config whose diff_ids are the layers. */
function signatureConfig(layers: Descriptor[]): Buffer {
  const epoch = '0001-01-01T00:00:00Z';
  return Buffer.from(
    JSON.stringify({
      architecture: '',
      created: epoch,
      history: layers.map(() => ({ created: epoch })),
      os: '',
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) },
      config: {},
    }),
  );
}

/**
 * The manifest for a `.sig` / `.att` tag: the existing layers (if any) plus the new entries.
 * An entry identical to an existing layer (same blob and annotations) is not added twice.
 */
export function buildCosignManifest(existing: ImageManifest | undefined, entries: LayerEntry[]): BuiltArtifact {
  const layers: Descriptor[] = existing ? [...existing.layers] : [];
  const blobs: Buffer[] = [];
  for (const e of entries) {
    const d: Descriptor = { mediaType: e.mediaType, size: e.blob.length, digest: digestOf(e.blob), annotations: e.annotations };
    const dup = layers.some((l) => l.digest === d.digest && JSON.stringify(l.annotations ?? {}) === JSON.stringify(d.annotations));
    if (dup) continue;
    layers.push(d);
    blobs.push(e.blob);
  }
  const config = signatureConfig(layers);
  const manifest = {
    schemaVersion: 2,
    mediaType: MediaType.OciManifest,
    config: { mediaType: MediaType.OciConfig, size: config.length, digest: digestOf(config) },
    layers,
  };
  return { manifest: Buffer.from(JSON.stringify(manifest)), config, blobs };
}

/** One simple-signing layer: payload blob with its signature annotation. */
export function signatureLayer(payload: Buffer, signatureB64: string, extra: Record<string, string> = {}): LayerEntry {
  return { blob: payload, mediaType: MediaType.CosignSimpleSigning, annotations: { ...extra, [SIGNATURE_ANNOTATION]: signatureB64 } };
}

/** Signs an image digest: the payload and its layer, ready for `buildCosignManifest`. */
export function signImage(identity: string, manifestDigest: string, privateKey: KeyObject, optional?: Record<string, unknown>): LayerEntry {
  const payload = simpleSigningPayload(identity, manifestDigest, optional);
  return signatureLayer(payload, signBytes(payload, privateKey));
}
