import { describe, expect, it } from 'vitest';
import type { GateDecisionEvent, ScanCompletedEvent } from '../gates/gates.js';
import { buildReport } from '../scan/report.js';
import { gateWebhookListeners, webhookFromRequest } from './sources.js';
import type { WebhookEvent } from './types.js';

const NOW = new Date('2026-02-03T04:05:06.000Z');

describe('webhook event sources', () => {
  it('maps successful /v2 pushes, pulls and deletes, and nothing else', () => {
    expect(webhookFromRequest({ action: 'image.push', repository: 'team/app', digest: 'sha256:1', tag: 'v1', outcome: 'success' }, 'alice', NOW)).toEqual({
      type: 'push', project: 'team', repository: 'team/app', digest: 'sha256:1', tag: 'v1', actor: 'alice', time: NOW.toISOString(),
    });
    expect(webhookFromRequest({ action: 'image.pull', repository: 'team/app', digest: 'sha256:1', outcome: 'success' }, null, NOW)).toEqual({
      type: 'pull', project: 'team', repository: 'team/app', digest: 'sha256:1', time: NOW.toISOString(),
    });
    expect(webhookFromRequest({ action: 'tag.delete', repository: 'team/a/b', tag: 'v1', outcome: 'success' }, 'bob', NOW)?.type).toBe('delete');
    expect(webhookFromRequest({ action: 'image.push', repository: 'team/app', outcome: 'denied' }, 'alice', NOW)).toBeUndefined();
    expect(webhookFromRequest({ action: 'blob.delete', repository: 'team/app', outcome: 'success' }, 'alice', NOW)).toBeUndefined();
  });

  it('emits denied for refusing gate decisions and scan_completed for reports', async () => {
    const sent: WebhookEvent[] = [];
    const errors: unknown[] = [];
    const listeners = gateWebhookListeners({ emit: async (e) => void sent.push(e) }, (e) => errors.push(e));
    const decision = (allowed: boolean): GateDecisionEvent['decision'] => ({
      gate: 'push', mode: 'enforce', allowed, evaluatedAt: NOW.toISOString(),
      violations: allowed ? [] : [{ rule: 'secret', severity: 'HIGH', action: 'deny', summary: '1 secret', items: ['aws-key'] }],
    });
    const base = { gate: 'push' as const, project: 'team', repository: 'team/app', digest: 'sha256:1', reportUrl: 'http://r/report', durationMs: 3 };
    listeners.onDecision({ ...base, decision: decision(true) });
    listeners.onDecision({ ...base, tag: 'v1', decision: decision(false) });
    const report = buildReport({ artifact: { type: 'container_image', name: 'x', layers: [] }, scanners: ['vuln'], packages: [], vulnerabilities: [], secrets: [], misconfigurations: [], warnings: [], now: NOW });
    const scan: ScanCompletedEvent = { repository: 'team/app', digest: 'sha256:1', report };
    listeners.onScanCompleted(scan);
    await new Promise((r) => setImmediate(r));
    expect(sent.map((e) => e.type)).toEqual(['denied', 'scan_completed']);
    expect(sent[0]).toMatchObject({ decision: 'deny', tag: 'v1', summary: 'push refused: [HIGH] 1 secret (http://r/report)' });
    expect(sent[1]).toMatchObject({ project: 'team', summary: '0 critical, 0 high vulnerabilities; 0 secrets; 0 misconfigurations' });

    const failing = gateWebhookListeners({ emit: async () => Promise.reject(new Error('db down')) }, (e) => errors.push(e));
    failing.onScanCompleted(scan);
    await new Promise((r) => setImmediate(r));
    expect(errors).toHaveLength(1);
  });
});
