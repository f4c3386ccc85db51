import { createHash, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { digestOf, parseDigest } from '../image/digest.js';
import { IN_TOTO_PAYLOAD_TYPE, pae, type DsseEnvelope, type InTotoStatement } from './attest.js';
import { keyId, type SigstoreBundle } from './bundle.js';
import { COSIGN_SIGNATURE_TYPE, type SimpleSigningPayload } from './simplesigning.js';

/**
 * Offline verification of cosign simple signatures, DSSE attestations and Sigstore bundles
 * against trusted public keys. Pure: bytes and keys in, a verdict with a reason out.
 */

export type FailureReason =
  /** The signature is not base64 of a DER ECDSA signature. */
  | 'signature-malformed'
  /** Well-formed, but valid under none of the trusted keys: signed by another key, or payload/signature altered. */
  | 'signature-invalid'
  /** A bundle whose key hint names none of the trusted keys, and whose signature none of them verifies. */
  | 'unknown-key'
  /** The payload bytes do not hash to the digest of the layer that carried them. */
  | 'payload-digest-mismatch'
  | 'payload-malformed'
  /** Signed, but not a cosign image signature (or not an in-toto statement). */
  | 'wrong-type'
  /** Signed, but for another image digest (or another artifact). */
  | 'digest-mismatch'
  | 'reference-mismatch'
  | 'predicate-type-mismatch'
  | 'bundle-malformed';

export interface TrustedKey {
  id: string;
  key: KeyObject;
}

export type Verdict<T> = { ok: true; keyId: string; value: T } | { ok: false; reason: FailureReason; message: string };

export function trustKeys(keys: KeyObject[]): TrustedKey[] {
  return keys.map((key) => ({ id: keyId(key), key }));
}

function fail<T>(reason: FailureReason, message: string): Verdict<T> {
  return { ok: false, reason, message };
}

/** A DER ECDSA signature is SEQUENCE { INTEGER r, INTEGER s } and nothing after it. */
export function isDerEcdsaSignature(sig: Buffer): boolean {
  if (sig.length < 8 || sig[0] !== 0x30) return false;
  let pos = 1;
  let len = sig[pos++]!;
  if (len & 0x80) {
    if (len !== 0x81) return false;
    len = sig[pos++]!;
  }
  if (pos + len !== sig.length) return false;
  for (let i = 0; i < 2; i++) {
    if (sig[pos++] !== 0x02) return false;
    const n = sig[pos++];
    if (n === undefined || n === 0 || n > 33 || pos + n > sig.length) return false;
    pos += n;
  }
  return pos === sig.length;
}

function decodeSignature(b64: string): Buffer | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) return undefined;
  const sig = Buffer.from(b64, 'base64');
  return isDerEcdsaSignature(sig) ? sig : undefined;
}

/** The trusted key under which `sig` verifies `data`, if any. */
function findSigner(data: Buffer, sig: Buffer, keys: TrustedKey[]): TrustedKey | undefined {
  return keys.find((k) => cryptoVerify('sha256', data, { key: k.key, dsaEncoding: 'der' }, sig));
}

export interface SimpleSignatureInput {
  payload: Buffer;
  /** base64 DER, the `dev.cosignproject.cosign/signature` annotation. */
  signature: string;
  /** Digest of the layer descriptor the payload came from, when it came from a registry. */
  layerDigest?: string;
}

export interface ImageExpectation {
  manifestDigest: string;
  /** When set, `critical.identity.docker-reference` must equal it. */
  identity?: string;
}

export function verifySimpleSigning(input: SimpleSignatureInput, keys: TrustedKey[], expect: ImageExpectation): Verdict<SimpleSigningPayload> {
  if (input.layerDigest !== undefined) {
    const alg = parseDigest(input.layerDigest)?.algorithm ?? 'sha256';
    if (digestOf(input.payload, alg) !== input.layerDigest) return fail('payload-digest-mismatch', `payload does not hash to its layer digest ${input.layerDigest}`);
  }
  const sig = decodeSignature(input.signature);
  if (!sig) return fail('signature-malformed', 'signature is not base64 of a DER ECDSA signature');
  const signer = findSigner(input.payload, sig, keys);
  if (!signer) return fail('signature-invalid', 'signature does not verify with any trusted key (another key signed it, or payload or signature were altered)');
  let doc: SimpleSigningPayload;
  try {
    doc = JSON.parse(input.payload.toString('utf8')) as SimpleSigningPayload;
  } catch {
    return fail('payload-malformed', 'signed payload is not JSON');
  }
  const critical = doc?.critical;
  if (typeof critical !== 'object' || critical === null) return fail('payload-malformed', 'signed payload has no "critical" section');
  if (critical.type !== COSIGN_SIGNATURE_TYPE) return fail('wrong-type', `signed payload type is "${String(critical.type)}"`);
  const named = critical.image?.['docker-manifest-digest'];
  if (named !== expect.manifestDigest) return fail('digest-mismatch', `signature is for ${String(named)}, not ${expect.manifestDigest}`);
  const identity = critical.identity?.['docker-reference'];
  if (expect.identity !== undefined && identity !== expect.identity) return fail('reference-mismatch', `signature names ${String(identity)}, not ${expect.identity}`);
  return { ok: true, keyId: signer.id, value: doc };
}

export interface StatementExpectation {
  /** The statement's subjects must include this digest. */
  manifestDigest?: string;
  predicateType?: string;
  /** When set, the subject carrying the digest must be named this (the signed docker-reference). */
  identity?: string;
}

/** Verifies a DSSE envelope (any signature by a trusted key) and its in-toto statement. */
export function verifyDsse(envelope: unknown, keys: TrustedKey[], expect: StatementExpectation, hint?: string): Verdict<InTotoStatement> {
  const env = envelope as Partial<DsseEnvelope> | null;
  if (typeof env !== 'object' || env === null || typeof env.payload !== 'string' || typeof env.payloadType !== 'string' || !Array.isArray(env.signatures)) {
    return fail('payload-malformed', 'not a DSSE envelope');
  }
  const payload = Buffer.from(env.payload, 'base64');
  const signed = pae(env.payloadType, payload);
  let wellFormed = false;
  let signer: TrustedKey | undefined;
  for (const s of env.signatures) {
    const sig = typeof s?.sig === 'string' ? decodeSignature(s.sig) : undefined;
    if (!sig) continue;
    wellFormed = true;
    signer = findSigner(signed, sig, keys);
    if (signer) break;
  }
  if (!wellFormed) return fail('signature-malformed', 'the envelope has no well-formed signature');
  if (!signer) {
    const hints = [hint, ...env.signatures.map((s) => s?.keyid)].filter((h): h is string => typeof h === 'string' && h.length > 0);
    if (hints.length > 0 && !hints.some((h) => keys.some((k) => k.id === h))) return fail('unknown-key', `signed by key ${hints[0]}, which is not trusted`);
    return fail('signature-invalid', 'no envelope signature verifies with a trusted key (another key signed it, or it was altered)');
  }
  if (env.payloadType !== IN_TOTO_PAYLOAD_TYPE) return fail('wrong-type', `payload type is ${env.payloadType}, not ${IN_TOTO_PAYLOAD_TYPE}`);
  let st: InTotoStatement;
  try {
    st = JSON.parse(payload.toString('utf8')) as InTotoStatement;
  } catch {
    return fail('payload-malformed', 'statement is not JSON');
  }
  if (typeof st !== 'object' || st === null || !Array.isArray(st.subject) || typeof st.predicateType !== 'string') return fail('payload-malformed', 'not an in-toto statement');
  if (!/^https:\/\/in-toto\.io\/Statement\/v(1|0\.1)$/.test(String(st._type))) return fail('wrong-type', `statement type ${String(st._type)}`);
  if (expect.manifestDigest !== undefined) {
    const p = parseDigest(expect.manifestDigest);
    const hit = p && st.subject.some((s) => s?.digest?.[p.algorithm] === p.hex);
    if (!hit) return fail('digest-mismatch', `statement subjects do not include ${expect.manifestDigest}`);
    if (expect.identity !== undefined && !st.subject.some((s) => s?.digest?.[p.algorithm] === p.hex && s.name === expect.identity)) {
      return fail('reference-mismatch', `statement subject is not named ${expect.identity}`);
    }
  }
  if (expect.predicateType !== undefined && st.predicateType !== expect.predicateType) {
    return fail('predicate-type-mismatch', `predicate type is ${st.predicateType}, not ${expect.predicateType}`);
  }
  return { ok: true, keyId: signer.id, value: st };
}

export interface BundleExpectation extends StatementExpectation {
  /** For message-signature bundles: the signed artifact's bytes. */
  artifact?: Buffer;
}

export type BundleContent = { kind: 'dsse'; statement: InTotoStatement } | { kind: 'message' };

const BUNDLE_MEDIA_TYPES = /^application\/vnd\.dev\.sigstore\.bundle(\.v0\.3\+json|\+json;version=0\.[123])$/;

export function verifyBundle(bytes: Buffer, keys: TrustedKey[], expect: BundleExpectation): Verdict<BundleContent> {
  let b: SigstoreBundle;
  try {
    b = JSON.parse(bytes.toString('utf8')) as SigstoreBundle;
  } catch {
    return fail('bundle-malformed', 'bundle is not JSON');
  }
  if (typeof b !== 'object' || b === null || !BUNDLE_MEDIA_TYPES.test(String(b.mediaType))) return fail('bundle-malformed', `not a Sigstore bundle (mediaType ${String(b?.mediaType)})`);
  const hint = b.verificationMaterial?.publicKey?.hint;
  if (b.dsseEnvelope) {
    const v = verifyDsse(b.dsseEnvelope, keys, expect, hint);
    return v.ok ? { ok: true, keyId: v.keyId, value: { kind: 'dsse', statement: v.value } } : v;
  }
  const ms = b.messageSignature;
  if (!ms || typeof ms.signature !== 'string') return fail('bundle-malformed', 'bundle has neither dsseEnvelope nor messageSignature');
  if (!expect.artifact) return fail('bundle-malformed', 'a message-signature bundle needs the artifact to verify against');
  const sig = decodeSignature(ms.signature);
  if (!sig) return fail('signature-malformed', 'signature is not base64 of a DER ECDSA signature');
  const sha = createHash('sha256').update(expect.artifact).digest('base64');
  const digestMatches = ms.messageDigest?.digest === undefined || ms.messageDigest.digest === sha;
  const signer = findSigner(expect.artifact, sig, keys);
  if (!signer) {
    if (hint && !keys.some((k) => k.id === hint)) return fail('unknown-key', `signed by key ${hint}, which is not trusted`);
    if (!digestMatches) return fail('digest-mismatch', 'the bundle signs another artifact');
    return fail('signature-invalid', 'signature does not verify with any trusted key');
  }
  if (!digestMatches) return fail('digest-mismatch', 'the bundle\'s message digest is not the artifact\'s');
  return { ok: true, keyId: signer.id, value: { kind: 'message' } };
}
