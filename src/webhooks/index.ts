/** Project webhooks: subscriptions, the emitter the registry calls, and the delivery worker. */
import type { Kysely } from 'kysely';
import type { JobQueue } from '../jobs/queue.js';
import type { Worker } from '../jobs/worker.js';
import { createDeliveryWorker, type DeliveryOptions } from './deliver.js';
import { WebhookEmitter } from './emitter.js';
import type { SecretBox } from './secret-box.js';
import { WebhookStore } from './store.js';
import type { DeliveryJob } from './types.js';

export { WEBHOOK_EVENTS, DELIVERY_QUEUE, type Delivery, type DeliveryState, type Webhook, type WebhookEvent, type WebhookEventType } from './types.js';
export { WebhookStore, WebhookError, validateWebhookUrl, generateSecret, type NewWebhook, type WebhookChanges } from './store.js';
export { WebhookEmitter, type EmitterOptions } from './emitter.js';
export { createDeliveryWorker, deliverOnce, DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, type DeliveryOptions } from './deliver.js';
export { SecretBox, loadOrCreateWebhookKey, secretHint, WEBHOOK_KEY_FILE } from './secret-box.js';
export { hmacSignature } from './signed-post.js';
export { webhookMigration } from './migration.js';
export { webhookFromRequest, emitInBackground, gateWebhookListeners, type Emitter, type RequestEventLike } from './sources.js';

export interface WebhookServices {
  store: WebhookStore;
  emitter: WebhookEmitter;
  worker: Worker<DeliveryJob>;
}

export interface WebhookServiceOptions extends DeliveryOptions {
  /** Attempts per delivery, the first included (default 6). */
  maxAttempts?: number;
  /** Deliveries remembered per webhook (default 50). */
  keepDeliveries?: number;
}

/**
 * The store, emitter and delivery worker over the metadata database (after migrations) and the job
 * queue. The caller starts the worker (`services.worker.start()`) and stops it on shutdown.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function createWebhookServices(db: Kysely<any>, queue: JobQueue, box: SecretBox, opts: WebhookServiceOptions = {}): WebhookServices {
  const { maxAttempts, keepDeliveries, ...deliveryOpts } = opts;
  const store = new WebhookStore(db, box, keepDeliveries !== undefined ? { keepDeliveries } : {});
  const worker = createDeliveryWorker(store, queue, deliveryOpts);
  const emitter = new WebhookEmitter(store, queue, { ...(maxAttempts !== undefined ? { maxAttempts } : {}), onQueued: () => worker.notify() });
  return { store, emitter, worker };
}
