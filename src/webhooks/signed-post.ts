/**
 * Signed JSON POSTs, shared by the audit webhook sink and the project webhooks: the HMAC-SHA256
 * signature header, one attempt with undici, which answers are worth retrying, and the backoff.
 */
import { createHmac } from 'node:crypto';
import { request } from 'undici';

export const SIGNATURE_HEADER = 'x-portcullis-signature';

/** `sha256=<hex HMAC-SHA256 of data>`: what receivers recompute with the shared secret. */
export function hmacSignature(secret: string, data: string): string {
  return `sha256=${createHmac('sha256', secret).update(data).digest('hex')}`;
}

/** Timeouts and rate limits pass; other 4xx mean the receiver refuses this request for good. */
export function retryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** Delay before retry `attempt` (1-based): `base`, doubling each time, capped. */
export function backoffDelay(attempt: number, baseMs: number, capMs = 30_000): number {
  return Math.min(baseMs * 2 ** Math.max(0, attempt - 1), capMs);
}

export interface PostResult {
  status: number;
}

/**
 * One POST of a JSON body. Resolves with the HTTP status (any); rejects on network errors and
 * timeouts. The response body is drained and ignored.
 */
export async function postJson(url: string, body: string, headers: Record<string, string>, timeoutMs = 10_000): Promise<PostResult> {
  const res = await request(url, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', ...headers },
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  await res.body.dump();
  return { status: res.statusCode };
}

export interface RetryOptions {
  maxAttempts?: number;
  /** First retry delay; doubles each time (default 500 ms), capped at 30 s. */
  backoffMs?: number;
  timeoutMs?: number;
}

/**
 * Posts until a 2xx, a non-retryable status, or `maxAttempts`; headers are computed per attempt
 * (a fresh timestamp each time). Throws naming the last failure.
 */
export async function postWithRetries(url: string, body: string, headersFor: () => Record<string, string>, opts: RetryOptions = {}): Promise<void> {
  const attempts = Math.max(1, opts.maxAttempts ?? 5);
  let lastError = '';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      const { status } = await postJson(url, body, headersFor(), opts.timeoutMs);
      if (status < 300) return;
      lastError = `HTTP ${status}`;
      if (!retryableStatus(status)) break;
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
    }
    if (attempt < attempts) await new Promise((r) => setTimeout(r, backoffDelay(attempt, opts.backoffMs ?? 500)));
  }
  throw new Error(`webhook ${url} failed: ${lastError}`);
}
