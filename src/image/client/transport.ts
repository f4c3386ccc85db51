import { Readable } from 'node:stream';
import { Agent, type Dispatcher } from 'undici';
import { Authenticator } from './auth.js';
import type { CredentialResolver, Credentials } from './credentials.js';
import { staticCredentials } from './credentials.js';
import { header, send, toRegistryError, type HttpResponse, type RequestBody } from './http.js';
import { apiHost, isLoopbackHost } from './reference.js';

export interface RegistryClientOptions {
  /** Registry name as written in references (`docker.io`, `localhost:5000`, `[::1]:5000`). */
  registry: string;
  /** Explicit credentials, or a resolver such as `dockerConfigResolver()`. */
  credentials?: Credentials | CredentialResolver;
  /**
   * Allows plain HTTP to a non-loopback host, and skips TLS certificate verification when
   * HTTPS is used. Loopback hosts speak plain HTTP by default without it.
   */
  insecure?: boolean;
  /**
   * Fixes the scheme. Default: https; for loopback hosts and with `insecure`, https is tried
   * first and plain http used when the registry does not speak TLS (as docker does).
   */
  scheme?: 'http' | 'https';
  /** Extra CA certificates (PEM) for TLS. */
  ca?: string | Buffer;
  /** A caller-owned undici dispatcher; the client then neither creates nor closes one. */
  dispatcher?: Dispatcher;
  userAgent?: string;
}

export interface TransportRequest {
  method: string;
  /** A path below the registry origin (`/v2/…`) or an absolute URL (upload locations). */
  path: string;
  headers?: Record<string, string>;
  body?: RequestBody;
  /** Token scopes the request needs, e.g. `repository:foo:pull`. */
  scopes: string[];
}

const DEFAULT_USER_AGENT = 'portcullis/0.1';

/** Base URL, TLS settings and authentication for one registry; every request goes through here. */
export class Transport {
  private base: string;
  private schemeSettled: boolean;
  private readonly host: string;
  readonly registry: string;
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private readonly auth: Authenticator;
  private readonly userAgent: string;

  constructor(opts: RegistryClientOptions) {
    this.registry = opts.registry;
    const host = apiHost(opts.registry);
    this.host = host;
    const mayBePlain = opts.insecure === true || isLoopbackHost(host);
    this.schemeSettled = opts.scheme !== undefined || !mayBePlain;
    this.base = `${opts.scheme ?? 'https'}://${host}`;
    this.userAgent = opts.userAgent ?? DEFAULT_USER_AGENT;
    if (opts.dispatcher) {
      this.dispatcher = opts.dispatcher;
      this.ownsDispatcher = false;
    } else {
      const connect: { rejectUnauthorized?: boolean; ca?: string | Buffer } = {};
      if (opts.insecure) connect.rejectUnauthorized = false;
      if (opts.ca) connect.ca = opts.ca;
      this.dispatcher = new Agent({ connect });
      this.ownsDispatcher = true;
    }
    const credentials = typeof opts.credentials === 'function' ? opts.credentials : opts.credentials ? staticCredentials(opts.credentials) : undefined;
    this.auth = new Authenticator(opts.registry, {
      dispatcher: this.dispatcher,
      credentials,
      insecure: opts.insecure,
      userAgent: this.userAgent,
      clientId: 'portcullis',
    });
  }

  get baseUrl(): string {
    return this.base;
  }

  url(path: string): string {
    return new URL(path, this.base).toString();
  }

  /** GET /v2/ without credentials, to learn the scheme (when open) and how the registry wants to be authenticated. */
  async discover(): Promise<void> {
    const headers = { 'user-agent': this.userAgent };
    let res;
    if (this.schemeSettled) {
      res = await send(this.dispatcher, { method: 'GET', url: this.url('/v2/'), headers });
    } else {
      try {
        res = await send(this.dispatcher, { method: 'GET', url: `https://${this.host}/v2/`, headers });
      } catch {
        // No TLS there (or no answer at all): a loopback or explicitly insecure registry may speak plain HTTP.
        this.base = `http://${this.host}`;
        res = await send(this.dispatcher, { method: 'GET', url: this.url('/v2/'), headers });
      }
      this.schemeSettled = true;
    }
    if (res.status !== 401 && res.status !== 200) throw await toRegistryError(res, 'GET');
    await res.body.dump();
    this.auth.learn(res.status === 401 ? header(res.headers, 'www-authenticate') : undefined);
  }

  /**
   * Sends an authenticated request. A 401 is answered once by re-authenticating (with any scope
   * the challenge adds) when the body can be replayed; the caller judges every other status.
   */
  async request(req: TransportRequest): Promise<HttpResponse> {
    if (!this.auth.knowsChallenge) await this.discover();
    const url = this.url(req.path);
    const sameOrigin = new URL(url).origin === new URL(this.base).origin;
    let scopes = req.scopes;
    for (let attempt = 0; ; attempt++) {
      const headers: Record<string, string> = { 'user-agent': this.userAgent, ...(req.headers ?? {}) };
      const authz = sameOrigin ? await this.auth.authorization(scopes) : undefined;
      if (authz) headers.authorization = authz;
      const res = await send(this.dispatcher, { method: req.method, url, headers, body: req.body });
      const replayable = !(req.body instanceof Readable);
      if (res.status !== 401 || attempt > 0 || !replayable || !sameOrigin) return res;
      const extra = this.auth.learn(header(res.headers, 'www-authenticate'));
      if (!this.auth.hasChallenge) return res;
      await res.body.dump();
      this.auth.invalidate(scopes);
      scopes = [...new Set([...scopes, ...extra])];
    }
  }

  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close();
  }
}
