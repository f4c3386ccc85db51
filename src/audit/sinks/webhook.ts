/** Webhooks: each event POSTed as JSON, signed with HMAC-SHA256, retried with exponential backoff. */
import { SIGNATURE_HEADER, hmacSignature, postWithRetries } from '../../webhooks/signed-post.js';
import type { AuditEvent } from '../event.js';
import type { AuditSink } from '../sink.js';
import type { Checkpoint } from '../store.js';

export interface WebhookSinkOptions {
  url: string;
  /** HMAC key; receivers recompute `sha256=<hex>` over `<timestamp>.<body>`. */
  secret: string;
  maxAttempts?: number;
  /** First retry delay; doubles each time (default 500 ms), capped at 30 s. */
  backoffMs?: number;
  timeoutMs?: number;
}

export { SIGNATURE_HEADER };
export const TIMESTAMP_HEADER = 'x-portcullis-timestamp';

export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return hmacSignature(secret, `${timestamp}.${body}`);
}

export class WebhookSink implements AuditSink {
  readonly name = 'webhook';
  private readonly inflight = new Set<Promise<void>>();

  constructor(private readonly options: WebhookSinkOptions) {}

  write(event: AuditEvent): Promise<void> {
    return this.track(this.deliver('audit.event', JSON.stringify(event)));
  }

  writeCheckpoint(checkpoint: Checkpoint): Promise<void> {
    return this.track(this.deliver('audit.checkpoint', JSON.stringify(checkpoint)));
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.inflight]);
  }

  private track(p: Promise<void>): Promise<void> {
    this.inflight.add(p);
    void p.catch(() => undefined).finally(() => this.inflight.delete(p));
    return p;
  }

  private deliver(kind: string, body: string): Promise<void> {
    const { url, secret, maxAttempts, backoffMs, timeoutMs } = this.options;
    return postWithRetries(
      url,
      body,
      () => {
        const timestamp = String(Math.floor(Date.now() / 1000));
        return { 'x-portcullis-event': kind, [TIMESTAMP_HEADER]: timestamp, [SIGNATURE_HEADER]: webhookSignature(secret, timestamp, body) };
      },
      { maxAttempts, backoffMs, timeoutMs },
    );
  }
}
