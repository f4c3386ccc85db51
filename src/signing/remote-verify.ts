import type { InTotoStatement } from './attest.js';
import { COSIGN_SIGN_PREDICATE } from './attest.js';
import { BUNDLE_V03_MEDIA_TYPE } from './bundle.js';
import type { RegistryClient } from '../image/client/client.js';
import { DigestMismatchError } from '../image/client/errors.js';
import type { ImageReference } from '../image/client/reference.js';
import { parseManifest } from '../image/manifest.js';
import { MediaType } from '../image/mediatypes.js';
import { getTaggedManifest, resolveImage, type ResolvedImage } from './remote.js';
import { cosignTag, SIGNATURE_ANNOTATION } from './simplesigning.js';
import { verifyBundle, verifyDsse, verifySimpleSigning, type FailureReason, type TrustedKey, type Verdict } from './verify.js';

/** Fetches an image's signatures and attestations from a registry and verifies them offline. */

const MAX_PAYLOAD = 1024 * 1024;
const MAX_ATTESTATION = 64 * 1024 * 1024;

export interface Finding {
  /** Where the signature was found: the cosign tag or a referrer manifest. */
  source: string;
  ok: boolean;
  keyId?: string;
  reason?: FailureReason | 'fetch-failed';
  message?: string;
  statement?: InTotoStatement;
}

export interface VerifyReport {
  image: ResolvedImage;
  verified: boolean;
  findings: Finding[];
}

function toFinding(source: string, v: Verdict<unknown>, statement?: InTotoStatement): Finding {
  if (v.ok) return statement ? { source, ok: true, keyId: v.keyId, statement } : { source, ok: true, keyId: v.keyId };
  return { source, ok: false, reason: v.reason, message: v.message };
}

/** Layer bytes; a digest mismatch is itself a verdict (the registry served altered bytes). */
async function fetchLayer(client: RegistryClient, repo: string, digest: string, max: number): Promise<Buffer | Finding> {
  try {
    return await client.getBlobBytes(repo, digest, max);
  } catch (err) {
    const source = `blob ${digest}`;
    if (err instanceof DigestMismatchError) return { source, ok: false, reason: 'payload-digest-mismatch', message: err.message };
    return { source, ok: false, reason: 'fetch-failed', message: err instanceof Error ? err.message : String(err) };
  }
}

/** Bundles attached to the image as referrers, each verified with `check`. */
async function bundleFindings(
  client: RegistryClient,
  img: ResolvedImage,
  check: (bytes: Buffer) => Finding | undefined,
): Promise<Finding[]> {
  const out: Finding[] = [];
  const refs = await client.listReferrers(img.repository, img.digest, BUNDLE_V03_MEDIA_TYPE);
  for (const d of refs.manifests) {
    const m = await client.getManifest(img.repository, d.digest);
    const parsed = parseManifest(m.bytes, m.mediaType);
    if (parsed.kind !== 'manifest') continue;
    for (const layer of parsed.manifest.layers) {
      if (layer.mediaType !== BUNDLE_V03_MEDIA_TYPE) continue;
      const bytes = await fetchLayer(client, img.repository, layer.digest, MAX_ATTESTATION);
      if (!Buffer.isBuffer(bytes)) {
        out.push(bytes);
        continue;
      }
      const f = check(bytes);
      if (f) out.push({ ...f, source: `referrer ${d.digest}` });
    }
  }
  return out;
}

export interface VerifyOptions {
  /** Require `critical.identity.docker-reference` to equal this. */
  identity?: string;
}

/** Verifies cosign signatures (`.sig` tag) and signature bundles (referrers). */
export async function verifyRemote(client: RegistryClient, ref: ImageReference, keys: TrustedKey[], opts: VerifyOptions = {}): Promise<VerifyReport> {
  const img = await resolveImage(client, ref);
  const findings: Finding[] = [];
  const tag = cosignTag(img.digest, 'sig');
  const sigManifest = await getTaggedManifest(client, img.repository, tag);
  for (const layer of sigManifest?.layers ?? []) {
    if (layer.mediaType !== MediaType.CosignSimpleSigning) continue;
    const source = `${tag} layer ${layer.digest}`;
    const signature = layer.annotations?.[SIGNATURE_ANNOTATION];
    if (!signature) {
      findings.push({ source, ok: false, reason: 'signature-malformed', message: 'layer has no signature annotation' });
      continue;
    }
    const payload = await fetchLayer(client, img.repository, layer.digest, MAX_PAYLOAD);
    if (!Buffer.isBuffer(payload)) {
      findings.push({ ...payload, source });
      continue;
    }
    const expect = opts.identity === undefined ? { manifestDigest: img.digest } : { manifestDigest: img.digest, identity: opts.identity };
    findings.push(toFinding(source, verifySimpleSigning({ payload, signature, layerDigest: layer.digest }, keys, expect)));
  }
  findings.push(
    ...(await bundleFindings(client, img, (bytes) => {
      const expect = { manifestDigest: img.digest, predicateType: COSIGN_SIGN_PREDICATE, ...(opts.identity === undefined ? {} : { identity: opts.identity }) };
      const v = verifyBundle(bytes, keys, expect);
      // Attestation bundles share the media type; they are not signatures of the image.
      if (!v.ok && v.reason === 'predicate-type-mismatch') return undefined;
      return toFinding('', v);
    })),
  );
  return { image: img, verified: findings.some((f) => f.ok), findings };
}

export interface VerifyAttestationOptions {
  /** Predicate type URI the attestation must have (any but cosign's sign predicate when omitted). */
  predicateType?: string;
}

/** Verifies in-toto attestations: bundles attached as referrers and the `.att` tag layout. */
export async function verifyAttestationsRemote(client: RegistryClient, ref: ImageReference, keys: TrustedKey[], opts: VerifyAttestationOptions = {}): Promise<VerifyReport> {
  const img = await resolveImage(client, ref);
  const expect = opts.predicateType === undefined ? { manifestDigest: img.digest } : { manifestDigest: img.digest, predicateType: opts.predicateType };
  const relevant = (st: InTotoStatement | undefined): boolean => st?.predicateType !== COSIGN_SIGN_PREDICATE || opts.predicateType === COSIGN_SIGN_PREDICATE;
  const findings: Finding[] = [];
  const tag = cosignTag(img.digest, 'att');
  const attManifest = await getTaggedManifest(client, img.repository, tag);
  for (const layer of attManifest?.layers ?? []) {
    if (layer.mediaType !== MediaType.InTotoDsse) continue;
    const source = `${tag} layer ${layer.digest}`;
    const bytes = await fetchLayer(client, img.repository, layer.digest, MAX_ATTESTATION);
    if (!Buffer.isBuffer(bytes)) {
      findings.push({ ...bytes, source });
      continue;
    }
    let envelope: unknown;
    try {
      envelope = JSON.parse(bytes.toString('utf8'));
    } catch {
      findings.push({ source, ok: false, reason: 'payload-malformed', message: 'envelope is not JSON' });
      continue;
    }
    const v = verifyDsse(envelope, keys, expect);
    if (v.ok && !relevant(v.value)) continue;
    if (!v.ok && v.reason === 'predicate-type-mismatch') continue;
    findings.push(toFinding(source, v, v.ok ? v.value : undefined));
  }
  findings.push(
    ...(await bundleFindings(client, img, (bytes) => {
      const v = verifyBundle(bytes, keys, expect);
      if (!v.ok) return v.reason === 'predicate-type-mismatch' ? undefined : toFinding('', v);
      const st = v.value.kind === 'dsse' ? v.value.statement : undefined;
      return relevant(st) ? toFinding('', v, st) : undefined;
    })),
  );
  return { image: img, verified: findings.some((f) => f.ok), findings };
}
