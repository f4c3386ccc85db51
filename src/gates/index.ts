/** The security gates: layer analysis as blobs arrive, push and pull gates, stored reports. */
export { Gates, type GatesOptions, type GateDecisionEvent, type ScanCompletedEvent } from './gates.js';
export { GATE_ROUTES, bindGatesApi } from './api.js';
export { combineHooks } from './hooks.js';
export { gatesMigration } from './migration.js';
export { artifactKind, type ArtifactKind } from './artifact.js';
export { ReportStore, type StoredReport, type ArtifactSummary } from './report-store.js';
export { attachmentsOf, referrerKind, type Attachment, type AttachmentKind } from './attachments.js';
export { DecisionAttester } from './decision-attestation.js';
