import type { Readable } from 'node:stream';
import { request, type Dispatcher } from 'undici';
import { RegistryError, parseOciErrors } from './errors.js';

/** Low-level HTTP on undici: one request, manual redirects (credentials never cross origins), bounded reads. */

export type RequestBody = Buffer | Readable | undefined;

export interface HttpRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: RequestBody;
}

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Dispatcher.ResponseData['body'];
  /** The URL that answered, after redirects. */
  url: string;
}

export type IncomingHttpHeaders = Dispatcher.ResponseData['headers'];

const MAX_REDIRECTS = 5;
const MAX_ERROR_BODY = 64 * 1024;

export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  if (Array.isArray(v)) return v[0];
  return v;
}

export function headerAll(headers: IncomingHttpHeaders, name: string): string[] {
  const v = headers[name.toLowerCase()];
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

/** Sends a request; GET and HEAD follow redirects, dropping Authorization when the origin changes. */
export async function send(dispatcher: Dispatcher, req: HttpRequest): Promise<HttpResponse> {
  let url = req.url;
  let headers = { ...(req.headers ?? {}) };
  for (let hop = 0; ; hop++) {
    const res = await request(url, { method: req.method, headers, body: req.body ?? null, dispatcher });
    const location = header(res.headers, 'location');
    const redirectable = (req.method === 'GET' || req.method === 'HEAD') && [301, 302, 303, 307, 308].includes(res.statusCode);
    if (!redirectable || !location) return { status: res.statusCode, headers: res.headers, body: res.body, url };
    await res.body.dump();
    if (hop >= MAX_REDIRECTS) throw new Error(`${req.method} ${url}: too many redirects`);
    const next = new URL(location, url);
    if (next.origin !== new URL(url).origin) {
      headers = Object.fromEntries(Object.entries(headers).filter(([k]) => k.toLowerCase() !== 'authorization'));
    }
    url = next.toString();
  }
}

/** Reads a whole body, refusing more than `max` bytes (hostile servers must not exhaust memory). */
export async function readBounded(body: AsyncIterable<Uint8Array> & { destroy(err?: Error): unknown }, max: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    total += chunk.length;
    if (total > max) {
      body.destroy();
      throw new Error(`${what}: response larger than ${max} bytes`);
    }
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks, total);
}

/** Turns a non-success response into a RegistryError, reading at most a bounded error body. */
export async function toRegistryError(res: HttpResponse, method: string): Promise<RegistryError> {
  let text = '';
  if (method !== 'HEAD') {
    try {
      text = (await readBounded(res.body, MAX_ERROR_BODY, 'error body')).toString('utf8');
    } catch {
      text = '';
    }
  } else {
    await res.body.dump().catch(() => undefined);
  }
  return new RegistryError({ status: res.status, method, url: res.url, errors: parseOciErrors(text), message: `HTTP ${res.status}` });
}
