/** The kysely view of the audit tables (created by metadata migration 0100). */

export interface AuditEventsTable {
  /** bigint: PostgreSQL returns it as a string, SQLite as a number. */
  seq: number | string;
  time: string;
  actor_type: string;
  actor_name: string | null;
  source: string | null;
  user_agent: string | null;
  action: string;
  repository: string | null;
  digest: string | null;
  tag: string | null;
  outcome: string;
  /** JSON array of strings. */
  reasons: string;
  /** JSON object or null. */
  detail: string | null;
  prev_hash: string;
  hash: string;
}

export interface AuditCheckpointsTable {
  seq: number | string;
  hash: string;
  time: string;
  key_id: string;
  algorithm: string;
  signature: string;
}

export interface AuditTables {
  audit_events: AuditEventsTable;
  audit_checkpoints: AuditCheckpointsTable;
}
