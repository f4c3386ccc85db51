/** The audit log: appends to the hash chain, then copies every event to the configured sinks. */
import type { AuditEvent, AuditEventInput, AuditRecorder } from './event.js';
import type { AuditSink } from './sink.js';
import type { CheckpointSigner } from './signing.js';
import type { AuditStore, Checkpoint } from './store.js';

export interface AuditLogOptions {
  store: AuditStore;
  sinks?: AuditSink[];
  /** Signs checkpoints; without one, no checkpoints are written. */
  signer?: CheckpointSigner;
  /** A checkpoint every N events (default 100). */
  checkpointEvery?: number;
  /** Called when a sink fails; the event is still in the database chain. */
  onSinkError?: (sink: string, error: unknown) => void;
}

export class AuditLog implements AuditRecorder {
  private readonly sinks: AuditSink[];
  private readonly pending = new Set<Promise<void>>();
  private readonly every: number;

  constructor(private readonly options: AuditLogOptions) {
    this.sinks = options.sinks ?? [];
    this.every = Math.max(1, options.checkpointEvery ?? 100);
  }

  get store(): AuditStore {
    return this.options.store;
  }

  /** Appends to the chain (awaited: a request is not answered before its event is durable). */
  async record(input: AuditEventInput): Promise<void> {
    await this.append(input);
  }

  async append(input: AuditEventInput): Promise<AuditEvent> {
    const event = await this.options.store.append(input);
    this.fanOut((sink) => sink.write(event));
    if (this.options.signer && event.seq % this.every === 0) await this.checkpoint();
    return event;
  }

  /** Signs the head of the chain now and copies the checkpoint to the sinks. */
  async checkpoint(): Promise<Checkpoint | undefined> {
    if (!this.options.signer) return undefined;
    const cp = await this.options.store.checkpoint(this.options.signer);
    if (cp) this.fanOut((sink) => sink.writeCheckpoint(cp));
    return cp;
  }

  /** Waits until every sink has the events recorded so far (or has failed on them). */
  async flush(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  async close(): Promise<void> {
    await this.flush();
    await Promise.all(this.sinks.map((s) => s.close()));
  }

  private fanOut(send: (sink: AuditSink) => Promise<void>): void {
    for (const sink of this.sinks) {
      const p = send(sink)
        .catch((err: unknown) => this.options.onSinkError?.(sink.name, err))
        .finally(() => this.pending.delete(p));
      this.pending.add(p);
    }
  }
}
