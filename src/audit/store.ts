/** The append-only, hash-chained audit table and its signed checkpoints. */
import type { Kysely, Selectable } from 'kysely';
import { GENESIS_HASH, canonicalJson, sealEvent } from './event.js';
import type { ActorType, AuditEvent, AuditEventInput, JsonValue, Outcome } from './event.js';
import type { AuditCheckpointsTable, AuditEventsTable, AuditTables } from './schema.js';
import { checkpointMessage } from './signing.js';
import type { CheckpointSigner } from './signing.js';

export interface Checkpoint {
  seq: number;
  hash: string;
  time: string;
  keyId: string;
  algorithm: string;
  signature: string;
}

export interface AuditQuery {
  actor?: string;
  repository?: string;
  /** Exact action, or a prefix ending in `.*` (e.g. `auth.*`). */
  action?: string;
  outcome?: Outcome;
  since?: Date;
  until?: Date;
  /** Only events with a larger sequence number (paging). */
  afterSeq?: number;
  limit?: number;
}

export function rowToEvent(row: Selectable<AuditEventsTable>): AuditEvent {
  return {
    seq: Number(row.seq),
    time: row.time,
    actorType: row.actor_type as ActorType,
    actorName: row.actor_name,
    source: row.source,
    userAgent: row.user_agent,
    action: row.action,
    repository: row.repository,
    digest: row.digest,
    tag: row.tag,
    outcome: row.outcome as Outcome,
    reasons: JSON.parse(row.reasons) as string[],
    detail: row.detail === null ? null : (JSON.parse(row.detail) as { [key: string]: JsonValue }),
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

function eventToRow(e: AuditEvent): AuditEventsTable {
  return {
    seq: e.seq,
    time: e.time,
    actor_type: e.actorType,
    actor_name: e.actorName,
    source: e.source,
    user_agent: e.userAgent,
    action: e.action,
    repository: e.repository,
    digest: e.digest,
    tag: e.tag,
    outcome: e.outcome,
    reasons: JSON.stringify(e.reasons),
    detail: e.detail === null ? null : canonicalJson(e.detail),
    prev_hash: e.prevHash,
    hash: e.hash,
  };
}

function rowToCheckpoint(row: Selectable<AuditCheckpointsTable>): Checkpoint {
  return {
    seq: Number(row.seq),
    hash: row.hash,
    time: row.time,
    keyId: row.key_id,
    algorithm: row.algorithm,
    signature: row.signature,
  };
}

const MAX_APPEND_ATTEMPTS = 20;

export class AuditStore {
  /** Serialises appends within this process; across processes the seq primary key decides. */
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly db: Kysely<AuditTables>) {}

  append(input: AuditEventInput, now = new Date()): Promise<AuditEvent> {
    const run = this.tail.then(() => this.appendNow(input, now));
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async appendNow(input: AuditEventInput, now: Date): Promise<AuditEvent> {
    let lastError: unknown;
    for (let attempt = 0; attempt < MAX_APPEND_ATTEMPTS; attempt++) {
      const last = await this.last();
      const event = sealEvent(input, (last?.seq ?? 0) + 1, last?.hash ?? GENESIS_HASH, now);
      try {
        await this.db.insertInto('audit_events').values(eventToRow(event)).execute();
        return event;
      } catch (err) {
        // Another process took this sequence number: re-read the tail and try again.
        lastError = err;
        const still = await this.db.selectFrom('audit_events').select('seq').where('seq', '=', event.seq).executeTakeFirst();
        if (!still) throw err;
      }
    }
    throw new Error(`audit append kept colliding with other writers: ${String(lastError)}`);
  }

  async last(): Promise<{ seq: number; hash: string } | undefined> {
    const row = await this.db.selectFrom('audit_events').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
    return row && { seq: Number(row.seq), hash: row.hash };
  }

  /** Events in sequence order, from `afterSeq` (exclusive). */
  async range(afterSeq: number, limit: number): Promise<AuditEvent[]> {
    const rows = await this.db.selectFrom('audit_events').selectAll().where('seq', '>', afterSeq).orderBy('seq').limit(limit).execute();
    return rows.map(rowToEvent);
  }

  async query(q: AuditQuery): Promise<AuditEvent[]> {
    let sel = this.db.selectFrom('audit_events').selectAll();
    if (q.actor !== undefined) sel = sel.where('actor_name', '=', q.actor);
    if (q.repository !== undefined) sel = sel.where('repository', '=', q.repository);
    if (q.action !== undefined) {
      if (q.action.endsWith('.*')) {
        const prefix = q.action.slice(0, -1);
        // Range instead of LIKE so `_` and `%` in the prefix mean themselves.
        sel = sel.where('action', '>=', prefix).where('action', '<', `${prefix}\uffff`);
      } else {
        sel = sel.where('action', '=', q.action);
      }
    }
    if (q.outcome !== undefined) sel = sel.where('outcome', '=', q.outcome);
    if (q.since) sel = sel.where('time', '>=', q.since.toISOString());
    if (q.until) sel = sel.where('time', '<', q.until.toISOString());
    if (q.afterSeq !== undefined) sel = sel.where('seq', '>', q.afterSeq);
    const rows = await sel.orderBy('seq').limit(Math.min(q.limit ?? 1000, 10_000)).execute();
    return rows.map(rowToEvent);
  }

  /** Signs the current head of the chain (no-op when it is already checkpointed or empty). */
  async checkpoint(signer: CheckpointSigner, now = new Date()): Promise<Checkpoint | undefined> {
    const head = await this.last();
    if (!head) return undefined;
    const existing = await this.db.selectFrom('audit_checkpoints').selectAll().where('seq', '=', head.seq).executeTakeFirst();
    if (existing) return rowToCheckpoint(existing);
    const time = now.toISOString();
    const signature = signer.sign(checkpointMessage({ seq: head.seq, hash: head.hash, time })).toString('base64');
    const cp: Checkpoint = { seq: head.seq, hash: head.hash, time, keyId: signer.keyId, algorithm: signer.algorithm, signature };
    try {
      await this.db
        .insertInto('audit_checkpoints')
        .values({ seq: cp.seq, hash: cp.hash, time: cp.time, key_id: cp.keyId, algorithm: cp.algorithm, signature: cp.signature })
        .execute();
    } catch (err) {
      // Another process checkpointed the same head at the same moment: theirs is as good.
      const raced = await this.db.selectFrom('audit_checkpoints').selectAll().where('seq', '=', head.seq).executeTakeFirst();
      if (!raced) throw err;
      return rowToCheckpoint(raced);
    }
    return cp;
  }

  async checkpoints(): Promise<Checkpoint[]> {
    const rows = await this.db.selectFrom('audit_checkpoints').selectAll().orderBy('seq').execute();
    return rows.map(rowToCheckpoint);
  }
}
