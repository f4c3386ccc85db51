import type { AuditEvent } from './event.js';
import type { Checkpoint } from './store.js';

/** A copy of the audit trail kept outside the database (files, syslog, webhooks). */
export interface AuditSink {
  readonly name: string;
  write(event: AuditEvent): Promise<void>;
  writeCheckpoint(checkpoint: Checkpoint): Promise<void>;
  close(): Promise<void>;
}
