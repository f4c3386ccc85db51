/**
 * Where webhook events come from: the /v2 request events the server already audits (push, pull,
 * delete) and the gates' listeners (denied, scan_completed). Emission never fails or slows the
 * request that caused it: errors go to `onError`.
 */
import type { GateDecisionEvent, ScanCompletedEvent } from '../gates/gates.js';
import { projectOfRepository } from '../identity/names.js';
import type { WebhookEvent } from './types.js';

export interface Emitter {
  emit(event: WebhookEvent): Promise<unknown>;
}

/** The subset of a /v2 request event (src/server/distribution/access.ts V2Event) that webhooks use. */
export interface RequestEventLike {
  action: string;
  repository: string;
  digest?: string;
  tag?: string;
  outcome: string;
}

const REQUEST_TYPES: Record<string, WebhookEvent['type']> = { 'image.push': 'push', 'image.pull': 'pull', 'image.delete': 'delete', 'tag.delete': 'delete' };

/** The webhook event for a successful push, pull or delete; undefined for anything else (denials come from the gates). */
export function webhookFromRequest(event: RequestEventLike, actor: string | null, now = new Date()): WebhookEvent | undefined {
  const type = REQUEST_TYPES[event.action];
  if (!type || event.outcome !== 'success') return undefined;
  return {
    type,
    project: projectOfRepository(event.repository),
    repository: event.repository,
    ...(event.digest !== undefined ? { digest: event.digest } : {}),
    ...(event.tag !== undefined ? { tag: event.tag } : {}),
    ...(actor !== null ? { actor } : {}),
    time: now.toISOString(),
  };
}

/** Fire and forget: the caller's work never waits for the database writes of the emission. */
export function emitInBackground(emitter: Emitter, event: WebhookEvent | undefined, onError: (err: unknown) => void): void {
  if (!event) return;
  void emitter.emit(event).catch(onError);
}

/** GatesOptions.onDecision / onScanCompleted that emit `denied` and `scan_completed`. */
export function gateWebhookListeners(
  emitter: Emitter,
  onError: (err: unknown) => void,
): { onDecision: (e: GateDecisionEvent) => void; onScanCompleted: (e: ScanCompletedEvent) => void } {
  return {
    onDecision(e) {
      const denied = e.decision.violations.filter((v) => v.action === 'deny');
      if (e.decision.allowed || denied.length === 0) return;
      emitInBackground(
        emitter,
        {
          type: 'denied',
          project: e.project,
          repository: e.repository,
          digest: e.digest,
          ...(e.tag !== undefined ? { tag: e.tag } : {}),
          decision: 'deny',
          summary: `${e.gate} refused: ${denied.map((v) => `[${v.severity}] ${v.summary}`).join('; ')} (${e.reportUrl})`,
          time: e.decision.evaluatedAt,
        },
        onError,
      );
    },
    onScanCompleted(e) {
      const t = e.report.totals;
      emitInBackground(
        emitter,
        {
          type: 'scan_completed',
          project: projectOfRepository(e.repository),
          repository: e.repository,
          digest: e.digest,
          ...(e.tag !== undefined ? { tag: e.tag } : {}),
          summary: `${t.vulnerabilities.CRITICAL} critical, ${t.vulnerabilities.HIGH} high vulnerabilities; ${e.report.secrets.length} secrets; ${e.report.misconfigurations.length} misconfigurations`,
          time: e.report.createdAt,
        },
        onError,
      );
    },
  };
}
