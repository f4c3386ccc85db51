/** The audit event model and its canonical form (what the hash chain covers). */
import { createHash } from 'node:crypto';

export type ActorType = 'user' | 'robot' | 'anonymous' | 'system';
export type Outcome = 'success' | 'failure' | 'denied' | 'error';
export const OUTCOMES: readonly Outcome[] = ['success', 'failure', 'denied', 'error'];

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** What a caller reports; the audit log adds time (if absent), sequence number and hashes. */
export interface AuditEventInput {
  actor: { type: ActorType; name: string | null };
  source?: string | null;
  userAgent?: string | null;
  /** Dotted verb, e.g. `auth.login`, `auth.token`, `image.push`, `user.create`. */
  action: string;
  repository?: string | null;
  digest?: string | null;
  tag?: string | null;
  outcome: Outcome;
  reasons?: string[];
  detail?: { [key: string]: JsonValue } | null;
  time?: Date;
}

export interface AuditEvent {
  seq: number;
  /** ISO-8601 UTC with milliseconds. */
  time: string;
  actorType: ActorType;
  actorName: string | null;
  source: string | null;
  userAgent: string | null;
  action: string;
  repository: string | null;
  digest: string | null;
  tag: string | null;
  outcome: Outcome;
  reasons: string[];
  detail: { [key: string]: JsonValue } | null;
  prevHash: string;
  hash: string;
}

/** Anything that accepts audit events (the audit log, or a fake in tests). */
export interface AuditRecorder {
  record(event: AuditEventInput): Promise<void>;
}

/** The hash that precedes the first event. */
export const GENESIS_HASH = '0'.repeat(64);

/** JSON with object keys sorted at every level and no whitespace: one byte string per value. */
export function canonicalJson(value: JsonValue): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new Error('non-finite number in audit event');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value).sort();
  const parts: string[] = [];
  for (const key of keys) {
    const v = value[key];
    if (v === undefined) continue;
    parts.push(`${JSON.stringify(key)}:${canonicalJson(v)}`);
  }
  return `{${parts.join(',')}}`;
}

/** The fields the hash covers: everything but the hash itself. */
export function eventBody(e: Omit<AuditEvent, 'hash'>): JsonValue {
  return {
    seq: e.seq,
    time: e.time,
    actorType: e.actorType,
    actorName: e.actorName,
    source: e.source,
    userAgent: e.userAgent,
    action: e.action,
    repository: e.repository,
    digest: e.digest,
    tag: e.tag,
    outcome: e.outcome,
    reasons: e.reasons,
    detail: e.detail,
    prevHash: e.prevHash,
  };
}

/** sha256 over the previous hash and the event's canonical JSON (which includes prevHash and seq). */
export function eventHash(e: Omit<AuditEvent, 'hash'>): string {
  return createHash('sha256').update(e.prevHash).update('\n').update(canonicalJson(eventBody(e))).digest('hex');
}

/** Builds the stored event from its input and its place in the chain. */
export function sealEvent(input: AuditEventInput, seq: number, prevHash: string, now: Date): AuditEvent {
  const unsealed: Omit<AuditEvent, 'hash'> = {
    seq,
    time: (input.time ?? now).toISOString(),
    actorType: input.actor.type,
    actorName: input.actor.name,
    source: input.source ?? null,
    userAgent: input.userAgent ?? null,
    action: input.action,
    repository: input.repository ?? null,
    digest: input.digest ?? null,
    tag: input.tag ?? null,
    outcome: input.outcome,
    reasons: input.reasons ?? [],
    // Normalised through canonical JSON so what is hashed is exactly what can be stored and read back.
    detail: input.detail ? (JSON.parse(canonicalJson(input.detail)) as { [key: string]: JsonValue }) : null,
    prevHash,
  };
  return { ...unsealed, hash: eventHash(unsealed) };
}
