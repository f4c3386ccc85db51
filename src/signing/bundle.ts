import { createHash, type KeyObject } from 'node:crypto';
import { digestOf } from '../image/digest.js';
import type { Descriptor } from '../image/manifest.js';
import { MediaType } from '../image/mediatypes.js';
import type { DsseEnvelope } from './attest.js';
import { publicKeyDer } from './keys.js';
import { signBytes } from './simplesigning.js';

/**
 * Sigstore bundles v0.3 for offline, key-based signing (no Fulcio certificate, no Rekor entry):
 * the verification material is a public-key hint, the content a message signature or a DSSE
 * envelope. Stored in registries as OCI 1.1 referrers of the signed image.
 */

export const BUNDLE_V03_MEDIA_TYPE = MediaType.SigstoreBundle;

export interface SigstoreBundle {
  mediaType: string;
  verificationMaterial: {
    publicKey?: { hint: string };
    certificate?: unknown;
    x509CertificateChain?: unknown;
    tlogEntries: unknown[];
    timestampVerificationData?: unknown;
  };
  messageSignature?: {
    messageDigest: { algorithm: string; digest: string };
    signature: string;
  };
  dsseEnvelope?: DsseEnvelope;
}

/** The key id used as hint and DSSE keyid: hex SHA-256 of the DER SubjectPublicKeyInfo. */
export function keyId(key: KeyObject): string {
  return createHash('sha256').update(publicKeyDer(key)).digest('hex');
}

/** A bundle holding an ECDSA signature over the artifact bytes (what `cosign sign-blob --bundle` signs). */
export function messageSignatureBundle(artifact: Buffer, privateKey: KeyObject): SigstoreBundle {
  return {
    mediaType: BUNDLE_V03_MEDIA_TYPE,
    verificationMaterial: { publicKey: { hint: keyId(privateKey) }, tlogEntries: [] },
    messageSignature: {
      messageDigest: { algorithm: 'SHA2_256', digest: createHash('sha256').update(artifact).digest('base64') },
      signature: signBytes(artifact, privateKey),
    },
  };
}

/** A bundle around a DSSE envelope already signed with `privateKey`. */
export function dsseBundle(envelope: DsseEnvelope, privateKey: KeyObject): SigstoreBundle {
  return {
    mediaType: BUNDLE_V03_MEDIA_TYPE,
    verificationMaterial: { publicKey: { hint: keyId(privateKey) }, tlogEntries: [] },
    dsseEnvelope: envelope,
  };
}

export function serializeBundle(bundle: SigstoreBundle): Buffer {
  return Buffer.from(JSON.stringify(bundle));
}

const EMPTY_CONFIG = Buffer.from('{}');

export interface ReferrerArtifact {
  manifest: Buffer;
  /** Blobs to upload before the manifest: the empty config and the bundle. */
  blobs: Buffer[];
}

/**
 * The OCI 1.1 manifest that attaches a bundle to an image: artifactType and the single layer
 * are the bundle media type, the config is the empty descriptor, `subject` is the image.
 */
export function bundleReferrerManifest(bundleBytes: Buffer, subject: Descriptor, annotations: Record<string, string> = {}): ReferrerArtifact {
  const manifest = {
    schemaVersion: 2,
    mediaType: MediaType.OciManifest,
    artifactType: BUNDLE_V03_MEDIA_TYPE,
    config: { mediaType: MediaType.OciEmpty, digest: digestOf(EMPTY_CONFIG), size: EMPTY_CONFIG.length },
    layers: [{ mediaType: BUNDLE_V03_MEDIA_TYPE, digest: digestOf(bundleBytes), size: bundleBytes.length }],
    subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
    annotations,
  };
  return { manifest: Buffer.from(JSON.stringify(manifest)), blobs: [EMPTY_CONFIG, bundleBytes] };
}

/** Annotations cosign puts on bundle referrers, so a client can pick the right one without fetching it. */
export function bundleAnnotations(content: 'dsse-envelope' | 'message-signature', predicateType: string | undefined, now: Date = new Date()): Record<string, string> {
  const a: Record<string, string> = { 'dev.sigstore.bundle.content': content, 'org.opencontainers.image.created': now.toISOString() };
  if (predicateType) a['dev.sigstore.bundle.predicateType'] = predicateType;
  return a;
}
