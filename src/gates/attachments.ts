import { RegistryError } from '../registry/errors.js';
import type { Registry } from '../registry/registry.js';
import { COSIGN_SIGN_PREDICATE } from '../signing/attest.js';

export type AttachmentKind = 'signature' | 'attestation' | 'sbom' | 'other';

export interface Attachment {
  digest: string;
  kind: AttachmentKind;
  artifactType?: string;
}

const COSIGN_TAG_KINDS: ReadonlyArray<[string, AttachmentKind]> = [
  ['sig', 'signature'],
  ['att', 'attestation'],
  ['sbom', 'sbom'],
];

/** What an OCI 1.1 referrer is, from its artifact type and annotations (no blob is read). */
export function referrerKind(artifactType: string | null, annotations: Record<string, string> | null): AttachmentKind {
  const type = (artifactType ?? '').toLowerCase();
  if (type.startsWith('application/vnd.dev.sigstore.bundle')) {
    // cosign's signatures in the bundle format are DSSE envelopes of its "sign" predicate type;
    // any other DSSE envelope is an attestation, a plain message signature a signature.
    const predicate = annotations?.['dev.sigstore.bundle.predicateType'];
    if (predicate === COSIGN_SIGN_PREDICATE) return 'signature';
    if (predicate || annotations?.['dev.sigstore.bundle.content'] === 'dsse-envelope') return 'attestation';
    return 'signature';
  }
  if (type.includes('cyclonedx') || type.includes('spdx') || type.includes('syft')) return 'sbom';
  if (type.includes('dsse') || type.includes('in-toto')) return 'attestation';
  if (type.includes('signature') || type.includes('simplesigning') || type.includes('notary')) return 'signature';
  return 'other';
}

/**
 * Signatures, attestations and SBOMs attached to `digest`: its OCI 1.1 referrers and cosign's
 * tag-schema fallback (`sha256-<hex>.sig`, `.att`, `.sbom`), each manifest once.
 */
export async function attachmentsOf(registry: Registry, repository: string, digest: string): Promise<Attachment[]> {
  const found = new Map<string, Attachment>();
  for (const r of await registry.referrers(repository, digest)) {
    found.set(r.digest, { digest: r.digest, kind: referrerKind(r.artifactType, r.annotations), ...(r.artifactType ? { artifactType: r.artifactType } : {}) });
  }
  const base = digest.replace(':', '-');
  for (const [suffix, kind] of COSIGN_TAG_KINDS) {
    try {
      const m = await registry.getManifest(repository, `${base}.${suffix}`, undefined, { recordPull: false });
      if (!found.has(m.digest)) found.set(m.digest, { digest: m.digest, kind });
    } catch (err) {
      if (!(err instanceof RegistryError && (err.code === 'MANIFEST_UNKNOWN' || err.code === 'NAME_UNKNOWN'))) throw err;
    }
  }
  return [...found.values()];
}
