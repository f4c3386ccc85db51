/** Turns registry events into one queued delivery per matching subscription. */
import type { JobQueue } from '../jobs/queue.js';
import type { WebhookStore } from './store.js';
import { DELIVERY_QUEUE, type DeliveryJob, type WebhookEvent } from './types.js';

export interface EmitterOptions {
  /** Attempts per delivery (the first included). */
  maxAttempts?: number;
  /** Called after deliveries were queued (e.g. the worker's notify, so it does not wait for its poll). */
  onQueued?: () => void;
}

export class WebhookEmitter {
  constructor(
    private readonly store: WebhookStore,
    private readonly queue: JobQueue,
    private readonly opts: EmitterOptions = {},
  ) {}

  /**
   * Queues the event for every enabled subscription of its project to its type; returns the
   * delivery ids. The deliveries are persistent jobs, so they survive a restart.
   */
  async emit(event: WebhookEvent): Promise<string[]> {
    const hooks = await this.store.subscribers(event.project, event.type);
    const ids: string[] = [];
    for (const hook of hooks) {
      // The delivery id is part of the signed body, so a receiver can drop replays.
      const delivery = await this.store.createDelivery(hook.id, event.type, (id) => JSON.stringify({ id, ...event }));
      await this.queue.enqueue<DeliveryJob>(DELIVERY_QUEUE, { deliveryId: delivery.id }, { key: delivery.id, maxAttempts: this.opts.maxAttempts ?? 6 });
      ids.push(delivery.id);
    }
    if (ids.length > 0) this.opts.onQueued?.();
    return ids;
  }
}
