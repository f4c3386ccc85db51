/** Signing, verification and attestations: the public surface other modules import. */
export {
  generateKeyPair,
  encryptPrivateKey,
  loadPrivateKey,
  loadPublicKey,
  publicKeyPem,
  publicKeyDer,
  encryptBytes,
  decryptBytes,
  KeyError,
  SIGSTORE_PEM_TYPE,
  COSIGN_PEM_TYPE,
  type SigningKeyPair,
} from './keys.js';
export { resolvePassword } from './password.js';
export {
  simpleSigningPayload,
  signImage,
  signBytes,
  signatureLayer,
  buildCosignManifest,
  cosignTag,
  dockerReference,
  COSIGN_SIGNATURE_TYPE,
  SIGNATURE_ANNOTATION,
  type SimpleSigningPayload,
  type LayerEntry,
  type BuiltArtifact,
} from './simplesigning.js';
export {
  inTotoStatement,
  subjectFor,
  signStatement,
  signDsse,
  pae,
  predicateTypeFor,
  predicateFromFile,
  attestationLayer,
  PREDICATE_TYPES,
  COSIGN_SIGN_PREDICATE,
  IN_TOTO_PAYLOAD_TYPE,
  type InTotoStatement,
  type DsseEnvelope,
  type PredicateKind,
} from './attest.js';
export {
  messageSignatureBundle,
  dsseBundle,
  serializeBundle,
  bundleReferrerManifest,
  bundleAnnotations,
  keyId,
  BUNDLE_V03_MEDIA_TYPE,
  type SigstoreBundle,
} from './bundle.js';
export {
  verifySimpleSigning,
  verifyDsse,
  verifyBundle,
  trustKeys,
  type TrustedKey,
  type Verdict,
  type FailureReason,
  type BundleContent,
} from './verify.js';
export { signRemote, attestRemote, resolveImage, type SignResult, type AttestResult, type ResolvedImage } from './remote.js';
export { verifyRemote, verifyAttestationsRemote, type VerifyReport, type Finding } from './remote-verify.js';
export { decisionAttestation, verifyGatePassed, DECISION_PREDICATE_TYPE, type DecisionPredicate, type DecisionAttestation, type AttestationSubject } from './decision.js';
