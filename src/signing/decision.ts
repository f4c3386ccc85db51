import type { KeyObject } from 'node:crypto';
import type { Descriptor } from '../image/manifest.js';
import type { Decision } from '../policy/evaluate.js';
import type { ScanReport } from '../scan/types.js';
import { inTotoStatement, signStatement, subjectFor, type DsseEnvelope, type InTotoStatement } from './attest.js';
import { bundleAnnotations, bundleReferrerManifest, dsseBundle, keyId, serializeBundle, type ReferrerArtifact } from './bundle.js';
import { verifyBundle, type TrustedKey, type Verdict } from './verify.js';

/**
 * The registry's own word on an image: after a gate decision, an in-toto statement of the
 * decision and the scan's totals, in a DSSE envelope signed with the server's key, packed as a
 * Sigstore bundle referrer. A deployment holding the server's public key checks offline that
 * this exact digest passed the gate (`portcullis verify-attestation --type <DECISION_PREDICATE_TYPE>`).
 */

export const DECISION_PREDICATE_TYPE = 'https://portcullis.dev/attestation/gate-decision/v1';
/** Items listed per violation; the rest is counted (the statement stays small whatever the image). */
const MAX_ITEMS = 50;

export interface DecisionPredicate {
  gate: Decision['gate'];
  mode: Decision['mode'];
  allowed: boolean;
  evaluatedAt: string;
  violations: Array<{ rule: string; severity: string; action: 'deny' | 'warn'; summary: string; items: string[]; moreItems: number }>;
  scan: Pick<ScanReport, 'tool' | 'createdAt' | 'scanners' | 'totals'>;
  /** sha256 (hex) of the signing key's SubjectPublicKeyInfo. */
  issuerKeyId: string;
}

export interface DecisionAttestation {
  statement: InTotoStatement;
  envelope: DsseEnvelope;
  /** The Sigstore bundle v0.3 (JSON bytes). */
  bundle: Buffer;
  /** The referrer manifest attaching the bundle to the subject, and the blobs to store before it. */
  referrer: ReferrerArtifact;
}

export interface AttestationSubject {
  /** `host/repository` as clients name the image. */
  name: string;
  /** The manifest's descriptor (media type, digest, size). */
  descriptor: Descriptor;
}

/** Pure: the same inputs give the same statement (the signature is randomised by ECDSA). */
export function decisionAttestation(
  decision: Decision,
  report: Pick<ScanReport, 'tool' | 'createdAt' | 'scanners' | 'totals'>,
  subject: AttestationSubject,
  serverKey: { privateKey: KeyObject },
): DecisionAttestation {
  const issuerKeyId = keyId(serverKey.privateKey);
  const predicate: DecisionPredicate = {
    gate: decision.gate,
    mode: decision.mode,
    allowed: decision.allowed,
    evaluatedAt: decision.evaluatedAt,
    violations: decision.violations.map((v) => ({
      rule: v.rule,
      severity: v.severity,
      action: v.action,
      summary: v.summary,
      items: v.items.slice(0, MAX_ITEMS),
      moreItems: Math.max(0, v.items.length - MAX_ITEMS),
    })),
    scan: { tool: report.tool, createdAt: report.createdAt, scanners: report.scanners, totals: report.totals },
    issuerKeyId,
  };
  const statement = inTotoStatement([subjectFor(subject.name, subject.descriptor.digest)], DECISION_PREDICATE_TYPE, predicate);
  const envelope = signStatement(statement, serverKey.privateKey, issuerKeyId);
  const bundle = serializeBundle(dsseBundle(envelope, serverKey.privateKey));
  const referrer = bundleReferrerManifest(bundle, subject.descriptor, bundleAnnotations('dsse-envelope', DECISION_PREDICATE_TYPE, new Date(decision.evaluatedAt)));
  return { statement, envelope, bundle, referrer };
}

/**
 * Offline check of a decision bundle: signed by one of `keys` (the server's public key), about
 * `manifestDigest`, and the decision let the image through the given gate.
 */
export function verifyGatePassed(bundle: Buffer, keys: TrustedKey[], manifestDigest: string, gate: Decision['gate'] = 'push'): Verdict<DecisionPredicate> {
  const v = verifyBundle(bundle, keys, { manifestDigest, predicateType: DECISION_PREDICATE_TYPE });
  if (!v.ok) return v;
  if (v.value.kind !== 'dsse') return { ok: false, reason: 'wrong-type', message: 'not an attestation bundle' };
  const p = v.value.statement.predicate as Partial<DecisionPredicate> | null;
  if (typeof p !== 'object' || p === null || typeof p.allowed !== 'boolean') return { ok: false, reason: 'payload-malformed', message: 'not a gate-decision predicate' };
  if (p.gate !== gate) return { ok: false, reason: 'predicate-type-mismatch', message: `the decision is of the ${String(p.gate)} gate, not ${gate}` };
  if (!p.allowed) return { ok: false, reason: 'wrong-type', message: `the ${gate} gate denied this image` };
  return { ok: true, keyId: v.keyId, value: p as DecisionPredicate };
}
