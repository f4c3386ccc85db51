/** A small client for /api/v1 (used by `portcullis admin` and `portcullis audit --server`). */
import type { AuditEvent } from '../../audit/event.js';
import type { ChainReport } from '../../audit/verify.js';

export interface ApiClientOptions {
  server: string;
  username?: string;
  password?: string;
  fetch?: typeof fetch;
}

export class ApiClientError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiClientError';
  }
}

export class ApiClient {
  private readonly base: string;
  private readonly doFetch: typeof fetch;

  constructor(private readonly options: ApiClientOptions) {
    this.base = options.server.replace(/\/+$/, '');
    this.doFetch = options.fetch ?? fetch;
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<{ data: T; headers: Headers }> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.options.username !== undefined) {
      headers.authorization = `Basic ${Buffer.from(`${this.options.username}:${this.options.password ?? ''}`).toString('base64')}`;
    }
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await this.doFetch(`${this.base}/api/v1${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const text = await res.text();
    const json: unknown = text === '' ? undefined : JSON.parse(text);
    if (!res.ok) {
      const errors = (json as { errors?: { message: string; field?: string }[] } | undefined)?.errors ?? [];
      const message = errors.map((e) => (e.field ? `${e.field}: ${e.message}` : e.message)).join('; ') || `HTTP ${res.status}`;
      throw new ApiClientError(res.status, message);
    }
    return { data: json as T, headers: res.headers };
  }

  /** Every item of a paged listing. */
  async all<T>(path: string): Promise<T[]> {
    const out: T[] = [];
    for (let page = 1; ; page++) {
      const sep = path.includes('?') ? '&' : '?';
      const { data, headers } = await this.request<T[]>('GET', `${path}${sep}page=${page}&page_size=100`);
      out.push(...data);
      const total = Number(headers.get('x-total-count') ?? out.length);
      if (data.length === 0 || out.length >= total) return out;
    }
  }

  /** Audit events matching the filters, following `after` until exhausted. */
  async *auditEvents(filters: Record<string, string | undefined>): AsyncGenerator<AuditEvent> {
    let after = 0;
    while (true) {
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(filters)) if (v !== undefined) params.set(k, v);
      params.set('after', String(after));
      params.set('limit', '1000');
      const { data } = await this.request<AuditEvent[]>('GET', `/audit/events?${params.toString()}`);
      for (const e of data) yield e;
      const last = data.at(-1);
      if (!last || data.length < 1000) return;
      after = last.seq;
    }
  }

  async verifyAudit(): Promise<ChainReport> {
    return (await this.request<ChainReport>('GET', '/audit/verify')).data;
  }
}

export interface ConnectionOptions {
  server?: string;
  username?: string;
}

/**
 * Server and account for the CLI's API commands: the options, else PORTCULLIS_SERVER and
 * PORTCULLIS_USERNAME, with the password in PORTCULLIS_REGISTRY_PASSWORD (the same account as on
 * the registry; PORTCULLIS_PASSWORD is the signing key's password, as cosign's COSIGN_PASSWORD).
 */
export function connectionFrom(opts: ConnectionOptions, env: NodeJS.ProcessEnv = process.env): ApiClientOptions {
  const username = opts.username ?? env.PORTCULLIS_USERNAME;
  return {
    server: opts.server ?? env.PORTCULLIS_SERVER ?? 'http://127.0.0.1:5000',
    ...(username !== undefined ? { username, password: env.PORTCULLIS_REGISTRY_PASSWORD ?? '' } : {}),
  };
}

/** The help text of `--username` on every API command. */
export const USERNAME_HELP = 'account to act as (also PORTCULLIS_USERNAME; password from PORTCULLIS_REGISTRY_PASSWORD)';
