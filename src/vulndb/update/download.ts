import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { Agent, type Dispatcher, interceptors, request } from 'undici';

export interface DownloadOptions {
  /** Expected sha256 (hex) of the whole file; a mismatch deletes the download and throws. */
  sha256?: string;
  onProgress?: (received: number, total: number | undefined) => void;
  /** Refuse bodies larger than this (hostile or misconfigured servers). */
  maxBytes?: number;
  signal?: AbortSignal;
}

export class DownloadError extends Error {
  override name = 'DownloadError';
}

export const DEFAULT_MAX_DOWNLOAD_BYTES = 4 * 1024 * 1024 * 1024;

let dispatcher: Dispatcher | undefined;
/** One shared agent that follows redirects (feeds are often served through CDN redirects). */
function agent(): Dispatcher {
  dispatcher ??= new Agent().compose(interceptors.redirect({ maxRedirections: 5 }));
  return dispatcher;
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

/**
 * Downloads url to dest through `dest.part`, resuming a previous partial download with a
 * Range request when the server supports it. dest appears only when complete (and verified).
 */
export async function download(url: string, dest: string, opts: DownloadOptions = {}): Promise<{ bytes: number; resumed: boolean }> {
  const part = `${dest}.part`;
  const max = opts.maxBytes ?? DEFAULT_MAX_DOWNLOAD_BYTES;
  const have = existsSync(part) ? statSync(part).size : 0;
  const headers: Record<string, string> = { 'user-agent': 'portcullis-vulndb' };
  if (have > 0) headers.range = `bytes=${have}-`;
  const res = await request(url, { method: 'GET', headers, dispatcher: agent(), ...(opts.signal ? { signal: opts.signal } : {}) });
  let resumed = false;
  let start = 0;
  if (res.statusCode === 206 && have > 0) {
    resumed = true;
    start = have;
  } else if (res.statusCode === 416 && have > 0) {
    // the part file is already complete (or stale): start over
    await res.body.dump();
    rmSync(part, { force: true });
    return download(url, dest, opts);
  } else if (res.statusCode !== 200) {
    await res.body.dump();
    throw new DownloadError(`GET ${url}: HTTP ${res.statusCode}`);
  }
  const lengthHeader = res.headers['content-length'];
  const length = typeof lengthHeader === 'string' ? Number(lengthHeader) : undefined;
  const total = length !== undefined && Number.isFinite(length) ? start + length : undefined;
  if (total !== undefined && total > max) {
    await res.body.dump();
    throw new DownloadError(`GET ${url}: ${total} bytes exceeds the ${max}-byte limit`);
  }
  let received = start;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, cb): void {
      received += chunk.length;
      if (received > max) {
        cb(new DownloadError(`GET ${url}: more than ${max} bytes`));
        return;
      }
      opts.onProgress?.(received, total);
      cb(null, chunk);
    },
  });
  const out = createWriteStream(part, { flags: resumed ? 'a' : 'w' });
  try {
    await pipeline(res.body, meter, out);
  } catch (err) {
    // The part file stays for a later resume, but only once the file is closed: a write still in
    // flight would otherwise land after (and into the middle of) the resumed download.
    if (!out.closed) await once(out, 'close').catch(() => undefined);
    throw new DownloadError(`GET ${url}: interrupted after ${received} bytes (${(err as Error).message})`);
  }
  if (total !== undefined && received !== total) throw new DownloadError(`GET ${url}: got ${received} of ${total} bytes`);
  if (opts.sha256) {
    const actual = await sha256File(part);
    if (actual !== opts.sha256.toLowerCase()) {
      rmSync(part, { force: true });
      throw new DownloadError(`GET ${url}: sha256 ${actual} does not match the published ${opts.sha256}`);
    }
  }
  renameSync(part, dest);
  return { bytes: received, resumed };
}

/** Fetches a published checksum file ("<hex>  name" or bare hex) and returns the sha256. */
export async function fetchChecksum(url: string, signal?: AbortSignal): Promise<string> {
  const res = await request(url, { dispatcher: agent(), ...(signal ? { signal } : {}) });
  if (res.statusCode !== 200) {
    await res.body.dump();
    throw new DownloadError(`GET ${url}: HTTP ${res.statusCode}`);
  }
  const text = (await res.body.text()).slice(0, 4096);
  const m = /\b([0-9a-fA-F]{64})\b/.exec(text);
  if (!m) throw new DownloadError(`${url}: no sha256 in checksum file`);
  return m[1]!.toLowerCase();
}
