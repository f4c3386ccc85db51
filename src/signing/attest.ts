import type { KeyObject } from 'node:crypto';
import { parseDigest } from '../image/digest.js';
import { MediaType } from '../image/mediatypes.js';
import { signBytes, SIGNATURE_ANNOTATION, type LayerEntry } from './simplesigning.js';

/** DSSE envelopes and in-toto Statement v1 attestations, as cosign writes them. */

export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
export const IN_TOTO_STATEMENT_V1 = 'https://in-toto.io/Statement/v1';

/** Predicate types by the short names `cosign attest --type` accepts. */
export const PREDICATE_TYPES = {
  cyclonedx: 'https://cyclonedx.org/bom',
  spdxjson: 'https://spdx.dev/Document',
  vuln: 'https://cosign.sigstore.dev/attestation/vuln/v1',
  custom: 'https://cosign.sigstore.dev/attestation/v1',
  slsaprovenance1: 'https://slsa.dev/provenance/v1',
} as const;
export type PredicateKind = keyof typeof PREDICATE_TYPES;

/** What a `sign --bundle` DSSE statement asserts (cosign's new bundle format). */
export const COSIGN_SIGN_PREDICATE = 'https://sigstore.dev/cosign/sign/v1';

/** A short name, or a full predicate type URI passed through. */
export function predicateTypeFor(kind: string): string {
  if (kind in PREDICATE_TYPES) return PREDICATE_TYPES[kind as PredicateKind];
  if (/^https?:\/\//.test(kind)) return kind;
  throw new Error(`unknown predicate type "${kind}" (use ${Object.keys(PREDICATE_TYPES).join(', ')} or a URI)`);
}

export interface StatementSubject {
  name: string;
  digest: Record<string, string>;
}

export interface InTotoStatement {
  _type: string;
  subject: StatementSubject[];
  predicateType: string;
  predicate: unknown;
}

export interface DsseEnvelope {
  payloadType: string;
  /** base64 */
  payload: string;
  signatures: { keyid: string; sig: string }[];
}

export function subjectFor(name: string, manifestDigest: string): StatementSubject {
  const p = parseDigest(manifestDigest);
  if (!p) throw new Error(`invalid digest ${manifestDigest}`);
  return { name, digest: { [p.algorithm]: p.hex } };
}

export function inTotoStatement(subject: StatementSubject[], predicateType: string, predicate: unknown): InTotoStatement {
  return { _type: IN_TOTO_STATEMENT_V1, subject, predicateType, predicate };
}

/**
 * The predicate document for a predicate file: JSON as is, except cosign's `custom` type, which
 * wraps the file's text as `{data, timestamp}`.
 */
export function predicateFromFile(kind: string, content: Buffer, now: Date = new Date()): unknown {
  if (kind === 'custom') return { data: content.toString('utf8'), timestamp: now.toISOString().replace(/\.\d{3}Z$/, 'Z') };
  try {
    return JSON.parse(content.toString('utf8')) as unknown;
  } catch {
    throw new Error(`the ${kind} predicate must be a JSON document`);
  }
}

/** DSSE v1 pre-authentication encoding: what is actually signed. */
export function pae(payloadType: string, payload: Buffer): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([Buffer.from(`DSSEv1 ${type.length} `), type, Buffer.from(` ${payload.length} `), payload]);
}

export function signDsse(payloadType: string, payload: Buffer, privateKey: KeyObject, keyid = ''): DsseEnvelope {
  return {
    payloadType,
    payload: payload.toString('base64'),
    signatures: [{ keyid, sig: signBytes(pae(payloadType, payload), privateKey) }],
  };
}

export function signStatement(statement: InTotoStatement, privateKey: KeyObject, keyid = ''): DsseEnvelope {
  return signDsse(IN_TOTO_PAYLOAD_TYPE, Buffer.from(JSON.stringify(statement)), privateKey, keyid);
}

/** One layer of a `.att` manifest (the layout cosign used before OCI 1.1 referrers). */
export function attestationLayer(envelope: DsseEnvelope, predicateType: string): LayerEntry {
  return {
    blob: Buffer.from(JSON.stringify(envelope)),
    mediaType: MediaType.InTotoDsse,
    // cosign writes an empty signature annotation on attestation layers; the signature is inside the envelope.
    annotations: { [SIGNATURE_ANNOTATION]: '', predicateType },
  };
}
