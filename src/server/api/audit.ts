import { z } from 'zod/v4';
import { verifyChain } from '../../audit/verify.js';
import { requireAdmin } from './context.js';
import { parse } from './errors.js';
import type { ApiRoute } from './route.js';
import { AuditEventView, AuditQueryParams, ChainReportView, CheckpointView } from './schemas.js';

export const AUDIT_ROUTES: ApiRoute[] = [
  {
    method: 'GET', path: '/audit/events', operationId: 'queryAudit', summary: 'Query audit events', tag: 'audit', access: 'admin',
    query: AuditQueryParams,
    responses: [{ status: 200, description: 'events in sequence order', schema: z.array(AuditEventView) }],
    async handler(req, _reply, { auth, audit }) {
      await requireAdmin(req, auth);
      const q = parse(AuditQueryParams, req.query, 'query');
      return audit.store.query({
        ...(q.actor !== undefined ? { actor: q.actor } : {}),
        ...(q.repository !== undefined ? { repository: q.repository } : {}),
        ...(q.action !== undefined ? { action: q.action } : {}),
        ...(q.outcome !== undefined ? { outcome: q.outcome } : {}),
        ...(q.since !== undefined ? { since: new Date(q.since) } : {}),
        ...(q.until !== undefined ? { until: new Date(q.until) } : {}),
        ...(q.after !== undefined ? { afterSeq: q.after } : {}),
        limit: q.limit,
      });
    },
  },
  {
    method: 'GET', path: '/audit/verify', operationId: 'verifyAudit', summary: 'Verify the hash chain and its signed checkpoints', tag: 'audit',
    access: 'admin',
    responses: [{ status: 200, description: 'the verification report (ok=false names the first bad event)', schema: ChainReportView }],
    async handler(req, _reply, { auth, audit, auditVerifiers }) {
      await requireAdmin(req, auth);
      return verifyChain(audit.store, auditVerifiers);
    },
  },
  {
    method: 'POST', path: '/audit/checkpoints', operationId: 'checkpointAudit', summary: 'Sign a checkpoint of the chain now', tag: 'audit',
    access: 'admin',
    responses: [{ status: 201, description: 'the checkpoint', schema: CheckpointView }, { status: 204, description: 'empty chain or no signing key' }],
    async handler(req, reply, { auth, audit }) {
      await requireAdmin(req, auth);
      const cp = await audit.checkpoint();
      return cp ? reply.code(201).send(cp) : reply.code(204).send();
    },
  },
];
