/** Human-readable renderings of audit events and verification reports (CLI output). */
import type { AuditEvent } from './event.js';
import type { ChainReport } from './verify.js';

export function formatEventLine(e: AuditEvent): string {
  const where = [e.repository, e.tag ? `:${e.tag}` : '', e.digest ? `@${e.digest}` : ''].join('');
  const reasons = e.reasons.length > 0 ? ` (${e.reasons.join('; ')})` : '';
  return `${e.seq}\t${e.time}\t${e.actorName ?? `<${e.actorType}>`}\t${e.source ?? '-'}\t${e.action}\t${where || '-'}\t${e.outcome}${reasons}`;
}

export function formatChainReport(r: ChainReport): string {
  if (r.ok) {
    const cp = r.lastCheckpointSeq === null ? 'no signed checkpoint yet' : `latest signed checkpoint at event ${r.lastCheckpointSeq}`;
    return `audit chain intact: ${r.events} events (last ${r.lastSeq}, hash ${r.lastHash.slice(0, 16)}…), ${r.checkpoints} checkpoints, ${cp}`;
  }
  return `audit chain BROKEN at event ${r.problem?.seq ?? '?'} (${r.problem?.kind ?? 'unknown'}): ${r.problem?.message ?? ''}`;
}
