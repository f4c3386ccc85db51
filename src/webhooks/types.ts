/** Project webhooks: what a subscription is, what is sent, and what is remembered of each delivery. */
export const WEBHOOK_EVENTS = ['push', 'pull', 'delete', 'scan_completed', 'denied', 'reevaluated'] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENTS)[number];

/** What the registry reports; `project` is the project name, `time` ISO 8601. */
export interface WebhookEvent {
  type: WebhookEventType;
  project: string;
  repository: string;
  digest?: string;
  tag?: string;
  actor?: string;
  /** allow | deny (the gate's decision), when there was one. */
  decision?: string;
  /** Short human-readable account (reasons, counts). */
  summary?: string;
  time: string;
}

export interface Webhook {
  id: string;
  projectId: string;
  url: string;
  events: WebhookEventType[];
  enabled: boolean;
  /** Enough of the secret's fingerprint to tell secrets apart; never the secret. */
  secretHint: string;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
}

/** pending: queued or retrying; delivered: 2xx; failed: a 4xx, or every attempt used up. */
export type DeliveryState = 'pending' | 'delivered' | 'failed';

export interface Delivery {
  /** Also sent as X-Portcullis-Delivery. */
  id: string;
  webhookId: string;
  event: WebhookEventType;
  state: DeliveryState;
  attempts: number;
  /** HTTP status of the last attempt (absent after a network error). */
  lastStatus?: number;
  lastError?: string;
  createdAt: Date;
  updatedAt: Date;
}

export const DELIVERY_QUEUE = 'webhook.deliver';

/** The job payload: everything else is read from the delivery row when the job runs. */
export interface DeliveryJob {
  deliveryId: string;
}
