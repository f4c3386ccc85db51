/** What continuous re-evaluation reads and writes, independent of where reports are kept. */
import type { ImageInventory } from '../analysis/types.js';
import type { AuditRecorder } from '../audit/event.js';
import type { Decision, EvaluationInput, Policy } from '../policy/index.js';
import type { ScanReport } from '../scan/types.js';
import type { MatchOptions } from '../vulndb/match/index.js';
import type { VulnDb } from '../vulndb/db/database.js';
import type { WebhookEvent } from '../webhooks/types.js';

export interface ArtifactKey {
  repository: string;
  digest: string;
}

export interface StoredArtifact extends ArtifactKey {
  report: ScanReport;
  inventory: ImageInventory;
  /** The policy input the pull gate evaluates (derived from the report and the image config). */
  input: EvaluationInput;
  /** The decision taken at push. */
  decision: Decision;
}

/** The stored reports of every gated artifact (the gates' report store, or an in-memory one in tests). */
export interface ArtifactStore {
  /** Keys in a stable order, `limit` at a time after `cursor` (undefined: from the start). */
  keys(cursor: string | undefined, limit: number): Promise<{ keys: ArtifactKey[]; next?: string }>;
  get(repository: string, digest: string): Promise<StoredArtifact | undefined>;
  /** Replaces the report and the pull gate's input; the push decision stays as it was. */
  updateFindings(repository: string, digest: string, update: { report: ScanReport; input: EvaluationInput }): Promise<void>;
}

export interface ReevaluateDeps {
  store: ArtifactStore;
  /** The vulnerability DB to match against (the caller opens and closes it). */
  db: VulnDb;
  /** The effective policy of a project (by name). */
  policyFor(project: string): Promise<Policy>;
  audit: AuditRecorder;
  webhooks?: { emit(event: WebhookEvent): Promise<unknown> };
  /** The project a repository belongs to (default: its first path component). */
  projectOf?: (repository: string) => string;
  matchOptions?: Omit<MatchOptions, 'onWarning'>;
  now?: () => Date;
  /** Artifacts read per batch. */
  batchSize?: number;
  /** A failure on one artifact is reported here and the run goes on. */
  onError?: (key: ArtifactKey, err: unknown) => void;
}

export interface ArtifactChange extends ArtifactKey {
  project: string;
  /** Finding keys `advisory package@version` that appeared / disappeared. */
  added: string[];
  removed: string[];
  /** The pull gate's decision on the new findings. */
  allowed: boolean;
  /** Allowed before, refused now. */
  newlyBlocked: boolean;
  reasons: string[];
}

export interface ReevaluationSummary {
  artifacts: number;
  changed: ArtifactChange[];
  errors: number;
}
