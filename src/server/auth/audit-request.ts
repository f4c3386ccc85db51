/** Audit events for /v2 requests, filled in from the request and the authenticated actor. */
import type { FastifyRequest } from 'fastify';
import type { AuditEventInput, AuditRecorder } from '../../audit/event.js';
import { actorOfRequest } from './access.js';
import { clientInfo } from './header.js';
import type { TokenActor } from './tokens.js';

export type RequestEventFields = Omit<AuditEventInput, 'actor' | 'source' | 'userAgent'>;

/** Records e.g. `{ action: 'image.push', repository, tag, digest, outcome: 'denied', reasons }` for this request. */
export async function recordRequestEvent(
  audit: AuditRecorder,
  req: FastifyRequest,
  actor: TokenActor | { kind: 'user' | 'robot' | 'anonymous'; name: string | null } | null,
  fields: RequestEventFields,
): Promise<void> {
  const client = clientInfo(req);
  // A refused request reaches here without its actor; the access control remembered who it was.
  actor ??= actorOfRequest(req) ?? null;
  await audit.record({
    actor: actor ? { type: actor.kind, name: actor.kind === 'anonymous' ? null : actor.name } : { type: 'anonymous', name: null },
    source: client.source,
    userAgent: client.userAgent,
    ...fields,
  });
}
