import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { AuditRecorder } from '../audit/event.js';
import type { ServerConfig } from '../config/schema.js';
import type { SqlDialect } from '../metadata/migrations/types.js';
import { JobQueue } from '../jobs/queue.js';
import type { PolicyStore } from '../policy/index.js';
import { GateArtifactStore, createReevaluationWatcher, policyLookup } from '../reevaluate/index.js';
import { resolveCacheDir } from '../vulndb/db/paths.js';
import { createWebhookServices, emitInBackground, gateWebhookListeners, loadOrCreateWebhookKey, webhookFromRequest, type WebhookServices } from '../webhooks/index.js';
import type { V2Event, Principal } from './distribution/access.js';

export interface Notifications {
  webhooks: WebhookServices;
  /** Gate listeners that emit `denied` and `scan_completed`. */
  gateListeners: ReturnType<typeof gateWebhookListeners>;
  /** Emits push/pull/delete webhooks for a /v2 event, without making the request wait. */
  fromRequest(event: V2Event, principal: Principal | null): void;
  start(): void;
  stop(): Promise<void>;
}

/**
 * Webhooks and continuous re-evaluation: what tells the outside world about pushes, pulls,
 * decisions, and artifacts that a new advisory blocks after they were accepted.
 */
export async function createNotifications(opts: {
  config: ServerConfig;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>;
  dialect: SqlDialect;
  dataDir: string;
  logger: Logger;
  audit: AuditRecorder;
  identity: { getProject(name: string): Promise<{ id: string } | undefined> };
  policies: PolicyStore;
}): Promise<Notifications> {
  const { config, logger } = opts;
  const onError = (err: unknown) => logger.warn({ err }, 'webhook emission failed');
  const webhooks = createWebhookServices(opts.db, new JobQueue(opts.db, opts.dialect), await loadOrCreateWebhookKey(opts.dataDir), {
    onError: (job, err) => logger.warn({ err, job: job.id }, 'webhook delivery attempt failed'),
  });
  const reevaluation = createReevaluationWatcher({
    cacheDir: resolveCacheDir(config.gates.cacheDir),
    store: new GateArtifactStore(opts.db),
    policyFor: policyLookup(opts.identity, opts.policies),
    audit: opts.audit,
    webhooks: webhooks.emitter,
    intervalMs: config.gates.reevaluateInterval * 1000,
    onResult: (summary) => logger.info({ summary }, 're-evaluated stored artifacts against new vulnerability data'),
    onWatchError: (err) => logger.warn({ err }, 're-evaluation failed'),
    onError: (key, err) => logger.warn({ err, artifact: key }, 're-evaluation of an artifact failed'),
  });
  return {
    webhooks,
    gateListeners: gateWebhookListeners(webhooks.emitter, onError),
    fromRequest(event, principal) {
      emitInBackground(webhooks.emitter, webhookFromRequest(event, principal && principal.kind !== 'anonymous' ? principal.name : null), onError);
    },
    start() {
      webhooks.worker.start();
      if (config.gates.enabled && config.gates.reevaluate) reevaluation.start();
    },
    async stop() {
      await reevaluation.stop();
      await webhooks.worker.stop();
    },
  };
}
