/** The worker that sends queued webhook deliveries, signed, retrying network errors and 5xx with backoff. */
import type { JobQueue } from '../jobs/queue.js';
import type { Job } from '../jobs/types.js';
import { Worker, type WorkerOptions } from '../jobs/worker.js';
import { SIGNATURE_HEADER, hmacSignature, postJson, retryableStatus } from './signed-post.js';
import type { WebhookStore } from './store.js';
import { DELIVERY_QUEUE, type DeliveryJob } from './types.js';

export const EVENT_HEADER = 'x-portcullis-event';
export const DELIVERY_HEADER = 'x-portcullis-delivery';
export { SIGNATURE_HEADER };

export interface DeliveryOptions extends WorkerOptions {
  /** Per attempt (headers and body). */
  timeoutMs?: number;
}

/** Thrown to make the job queue retry the delivery later. */
class RetryableDeliveryError extends Error {}

/** One attempt of a delivery job; what the worker runs. */
export async function deliverOnce(store: WebhookStore, job: Job<DeliveryJob>, timeoutMs = 10_000): Promise<{ status?: number; skipped?: string }> {
  const target = await store.deliveryTarget(job.payload.deliveryId);
  // The webhook was deleted since: nothing to do.
  if (!target) return { skipped: 'webhook deleted' };
  const { delivery, body, url, secret } = target;
  if (!target.enabled) {
    await store.recordAttempt(delivery.id, { state: 'failed', attempts: delivery.attempts, error: 'webhook disabled before delivery' });
    return { skipped: 'webhook disabled' };
  }
  const headers = {
    'user-agent': 'portcullis-webhook',
    [EVENT_HEADER]: delivery.event,
    [DELIVERY_HEADER]: delivery.id,
    [SIGNATURE_HEADER]: hmacSignature(secret, body),
  };
  let status: number | undefined;
  let error: string | undefined;
  try {
    ({ status } = await postJson(url, body, headers, timeoutMs));
  } catch (err) {
    error = err instanceof Error ? err.message : String(err);
  }
  const attempts = job.attempts;
  if (status !== undefined && status < 300) {
    await store.recordAttempt(delivery.id, { state: 'delivered', attempts, status });
    return { status };
  }
  const retry = status === undefined || retryableStatus(status);
  const last = attempts >= job.maxAttempts;
  const message = error ?? `HTTP ${status}`;
  await store.recordAttempt(delivery.id, {
    state: retry && !last ? 'pending' : 'failed',
    attempts,
    ...(status !== undefined ? { status } : {}),
    error: message,
  });
  // A 4xx is the receiver refusing this delivery: retrying cannot help.
  if (!retry) return { status };
  throw new RetryableDeliveryError(`delivery ${delivery.id} to ${url}: ${message}`);
}

/** The delivery worker over the job queue (start it with `.start()`, stop with `.stop()`). */
export function createDeliveryWorker(store: WebhookStore, queue: JobQueue, opts: DeliveryOptions = {}): Worker<DeliveryJob> {
  const { timeoutMs, ...workerOpts } = opts;
  return new Worker<DeliveryJob>(queue, DELIVERY_QUEUE, (job) => deliverOnce(store, job, timeoutMs), workerOpts);
}
