import { describe, expect, it } from 'vitest';
import { digestOf } from '../image/digest.js';
import { parseManifest } from '../image/manifest.js';
import { MediaType } from '../image/mediatypes.js';
import { attestationLayer, inTotoStatement, pae, predicateFromFile, predicateTypeFor, signStatement, subjectFor } from './attest.js';
import { bundleReferrerManifest, dsseBundle, keyId, messageSignatureBundle, serializeBundle } from './bundle.js';
import { generateKeyPair } from './keys.js';
import { buildCosignManifest, cosignTag, dockerReference, SIGNATURE_ANNOTATION, signImage, simpleSigningPayload } from './simplesigning.js';
import { isDerEcdsaSignature, trustKeys, verifyBundle, verifyDsse, verifySimpleSigning } from './verify.js';

const D1 = digestOf('image-one');
const D2 = digestOf('image-two');
const signer = generateKeyPair();
const other = generateKeyPair();
const trusted = trustKeys([signer.publicKey]);

describe('simple signing', () => {
  it('writes the payload cosign writes, byte for byte', () => {
    expect(simpleSigningPayload('reg.example.com/app', D1).toString()).toBe(
      `{"critical":{"identity":{"docker-reference":"reg.example.com/app"},"image":{"docker-manifest-digest":"${D1}"},"type":"cosign container image signature"},"optional":null}`,
    );
    expect(JSON.parse(simpleSigningPayload('r/a', D1, { by: 'ci' }).toString()).optional).toEqual({ by: 'ci' });
    expect(dockerReference({ registry: 'docker.io', repository: 'library/debian' })).toBe('index.docker.io/library/debian');
    expect(cosignTag(D1, 'sig')).toBe(`sha256-${D1.slice(7)}.sig`);
  });

  it('verifies, and tells wrong key, tampering and another digest apart', () => {
    const layer = signImage('reg/app', D1, signer.privateKey);
    const sig = layer.annotations[SIGNATURE_ANNOTATION]!;
    const input = { payload: layer.blob, signature: sig, layerDigest: digestOf(layer.blob) };
    const ok = verifySimpleSigning(input, trusted, { manifestDigest: D1, identity: 'reg/app' });
    expect(ok).toMatchObject({ ok: true, keyId: keyId(signer.publicKey) });

    expect(verifySimpleSigning(input, trustKeys([other.publicKey]), { manifestDigest: D1 })).toMatchObject({ ok: false, reason: 'signature-invalid' });
    const tampered = Buffer.from(layer.blob.toString().replace('reg/app', 'reg/evil'));
    expect(verifySimpleSigning({ ...input, payload: tampered }, trusted, { manifestDigest: D1 })).toMatchObject({ ok: false, reason: 'payload-digest-mismatch' });
    expect(verifySimpleSigning({ payload: tampered, signature: sig }, trusted, { manifestDigest: D1 })).toMatchObject({ ok: false, reason: 'signature-invalid' });
    expect(verifySimpleSigning({ ...input, signature: 'AAAA' + sig.slice(4) }, trusted, { manifestDigest: D1 }).ok).toBe(false);
    expect(verifySimpleSigning({ ...input, signature: 'not base64!' }, trusted, { manifestDigest: D1 })).toMatchObject({ reason: 'signature-malformed' });
    expect(verifySimpleSigning(input, trusted, { manifestDigest: D2 })).toMatchObject({ ok: false, reason: 'digest-mismatch' });
    expect(verifySimpleSigning(input, trusted, { manifestDigest: D1, identity: 'reg/other' })).toMatchObject({ ok: false, reason: 'reference-mismatch' });
  });

  it('builds and appends to the .sig manifest', () => {
    const first = buildCosignManifest(undefined, [signImage('r/a', D1, signer.privateKey)]);
    const parsed = parseManifest(first.manifest);
    expect(parsed.kind).toBe('manifest');
    if (parsed.kind !== 'manifest') return;
    expect(parsed.manifest.layers).toHaveLength(1);
    expect(parsed.manifest.layers[0]!.mediaType).toBe(MediaType.CosignSimpleSigning);
    expect(parsed.manifest.config.digest).toBe(digestOf(first.config));
    expect(JSON.parse(first.config.toString()).rootfs.diff_ids).toEqual([parsed.manifest.layers[0]!.digest]);
    const again = signImage('r/a', D1, other.privateKey);
    const second = buildCosignManifest(parsed.manifest, [again]);
    const p2 = parseManifest(second.manifest);
    if (p2.kind !== 'manifest') throw new Error('kind');
    expect(p2.manifest.layers).toHaveLength(2);
    expect(second.blobs).toEqual([again.blob]);
    // The same signature twice is not duplicated.
    expect(parseManifest(buildCosignManifest(p2.manifest, [again]).manifest).manifest).toMatchObject({ layers: p2.manifest.layers });
  });

  it('recognises DER ECDSA signatures', () => {
    const sig = Buffer.from(signImage('r/a', D1, signer.privateKey).annotations[SIGNATURE_ANNOTATION]!, 'base64');
    expect(isDerEcdsaSignature(sig)).toBe(true);
    expect(isDerEcdsaSignature(sig.subarray(0, sig.length - 1))).toBe(false);
    expect(isDerEcdsaSignature(Buffer.concat([sig, Buffer.from([0])]))).toBe(false);
  });
});

describe('attestations and bundles', () => {
  const statement = inTotoStatement([subjectFor('reg/app', D1)], predicateTypeFor('cyclonedx'), { bomFormat: 'CycloneDX' });

  it('computes the DSSE PAE', () => {
    expect(pae('t', Buffer.from('hello')).toString()).toBe('DSSEv1 1 t 5 hello');
  });

  it('verifies DSSE statements and their subject and predicate type', () => {
    const env = signStatement(statement, signer.privateKey, keyId(signer.publicKey));
    expect(verifyDsse(env, trusted, { manifestDigest: D1, predicateType: 'https://cyclonedx.org/bom' })).toMatchObject({ ok: true, value: statement });
    expect(verifyDsse(env, trusted, { manifestDigest: D2 })).toMatchObject({ reason: 'digest-mismatch' });
    expect(verifyDsse(env, trusted, { predicateType: predicateTypeFor('vuln') })).toMatchObject({ reason: 'predicate-type-mismatch' });
    expect(verifyDsse(env, trustKeys([other.publicKey]), {})).toMatchObject({ reason: 'unknown-key' });
    const altered = { ...env, payload: Buffer.from(JSON.stringify({ ...statement, predicate: {} })).toString('base64') };
    expect(verifyDsse(altered, trusted, {})).toMatchObject({ reason: 'signature-invalid' });
    expect(attestationLayer(env, statement.predicateType).annotations).toEqual({ [SIGNATURE_ANNOTATION]: '', predicateType: 'https://cyclonedx.org/bom' });
  });

  it('wraps custom predicates as cosign does', () => {
    expect(predicateFromFile('custom', Buffer.from('hi'), new Date('2024-01-02T03:04:05.678Z'))).toEqual({ data: 'hi', timestamp: '2024-01-02T03:04:05Z' });
    expect(() => predicateFromFile('vuln', Buffer.from('nope'))).toThrow(/JSON/);
    expect(() => predicateTypeFor('bogus')).toThrow(/unknown predicate type/);
  });

  it('verifies DSSE and message-signature bundles, with distinct failures', () => {
    const b = serializeBundle(dsseBundle(signStatement(statement, signer.privateKey), signer.privateKey));
    expect(verifyBundle(b, trusted, { manifestDigest: D1 })).toMatchObject({ ok: true, value: { kind: 'dsse' } });
    expect(verifyBundle(b, trustKeys([other.publicKey]), {})).toMatchObject({ reason: 'unknown-key' });
    const art = Buffer.from('artifact bytes');
    const mb = serializeBundle(messageSignatureBundle(art, signer.privateKey));
    expect(verifyBundle(mb, trusted, { artifact: art })).toMatchObject({ ok: true, value: { kind: 'message' } });
    expect(verifyBundle(mb, trusted, { artifact: Buffer.from('other') })).toMatchObject({ reason: 'digest-mismatch' });
    expect(verifyBundle(Buffer.from('{"mediaType":"x"}'), trusted, {})).toMatchObject({ reason: 'bundle-malformed' });
  });

  it('builds the OCI 1.1 referrer manifest for a bundle', () => {
    const b = serializeBundle(messageSignatureBundle(Buffer.from('x'), signer.privateKey));
    const { manifest, blobs } = bundleReferrerManifest(b, { mediaType: MediaType.OciManifest, digest: D1, size: 10 }, { k: 'v' });
    const parsed = parseManifest(manifest);
    expect(parsed.manifest.artifactType).toBe(MediaType.SigstoreBundle);
    expect(parsed.manifest.subject).toEqual({ mediaType: MediaType.OciManifest, digest: D1, size: 10 });
    expect(blobs.map((x) => digestOf(x))).toContain(digestOf(b));
  });
});
