/** For tests: a webhook receiver on loopback that checks signatures and can fail on demand. */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { freePort } from '../testing/net.js';

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  /** The signature header matched an HMAC-SHA256 of the body with the receiver's secret. */
  signatureValid: boolean;
  /** What the receiver answered. */
  status: number;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** The next `n` requests are answered with `status`. */
  fail(n: number, status: number): void;
  /** Resolves once `n` requests arrived (rejects after `limitMs`, so a broken test ends). */
  waitFor(n: number, limitMs?: number): Promise<Received[]>;
  close(): Promise<void>;
}

export function verifySignature(secret: string, body: string, header: string | string[] | undefined): boolean {
  if (typeof header !== 'string') return false;
  const want = Buffer.from(`sha256=${createHmac('sha256', secret).update(body).digest('hex')}`);
  const got = Buffer.from(header);
  return got.length === want.length && timingSafeEqual(got, want);
}

export async function startReceiver(secret: () => string | undefined): Promise<Receiver> {
  const received: Received[] = [];
  const failures: number[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const s = secret();
      const status = failures.shift() ?? 204;
      received.push({ headers: req.headers, body, signatureValid: s !== undefined && verifySignature(s, body, req.headers['x-portcullis-signature']), status });
      res.statusCode = status;
      res.end();
    });
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    fail(n, status) {
      for (let i = 0; i < n; i++) failures.push(status);
    },
    async waitFor(n, limitMs = 15_000) {
      const until = Date.now() + limitMs;
      while (received.length < n) {
        if (Date.now() > until) throw new Error(`expected ${n} webhook requests, got ${received.length}`);
        await new Promise((r) => setTimeout(r, 10));
      }
      return received;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
