/** Webhooks: each event POSTed as JSON, signed with HMAC-SHA256, retried with exponential backoff. */
import { createHmac } from 'node:crypto';
import { request } from 'undici';
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

export const SIGNATURE_HEADER = 'x-portcullis-signature';
export const TIMESTAMP_HEADER = 'x-portcullis-timestamp';

export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

function retryable(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
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

  private async deliver(kind: string, body: string): Promise<void> {
    const attempts = Math.max(1, this.options.maxAttempts ?? 5);
    const base = this.options.backoffMs ?? 500;
    let lastError = '';
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const timestamp = String(Math.floor(Date.now() / 1000));
      try {
        const res = await request(this.options.url, {
          method: 'POST',
          body,
          headers: {
            'content-type': 'application/json',
            'x-portcullis-event': kind,
            [TIMESTAMP_HEADER]: timestamp,
            [SIGNATURE_HEADER]: webhookSignature(this.options.secret, timestamp, body),
          },
          headersTimeout: this.options.timeoutMs ?? 10_000,
          bodyTimeout: this.options.timeoutMs ?? 10_000,
        });
        await res.body.dump();
        if (res.statusCode < 300) return;
        lastError = `HTTP ${res.statusCode}`;
        if (!retryable(res.statusCode)) break;
      } catch (err) {
        lastError = err instanceof Error ? err.message : String(err);
      }
      if (attempt < attempts) await new Promise((r) => setTimeout(r, Math.min(base * 2 ** (attempt - 1), 30_000)));
    }
    throw new Error(`webhook ${this.options.url} failed: ${lastError}`);
  }
}
