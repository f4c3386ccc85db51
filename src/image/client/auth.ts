import type { Dispatcher } from 'undici';
import type { CredentialResolver, Credentials } from './credentials.js';
import { RegistryError } from './errors.js';
import { readBounded, send, toRegistryError } from './http.js';
import { isLoopbackHost } from './reference.js';

/**
 * Registry authentication: the `WWW-Authenticate` challenge of a 401 tells whether the registry
 * wants Basic credentials or a bearer token from a token service (Docker token auth); tokens are
 * cached per scope set until shortly before they expire.
 */

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Parses `Bearer realm="…",service="…",scope="a,b", Basic realm="…"` into challenges (RFC 7235). */
export function parseWwwAuthenticate(value: string): Challenge[] {
  const out: Challenge[] = [];
  let i = 0;
  const n = value.length;
  const skipSpace = (): void => {
    while (i < n && (value[i] === ' ' || value[i] === '\t')) i++;
  };
  const readToken = (): string => {
    const start = i;
    while (i < n && /[A-Za-z0-9!#$%&'*+.^_`|~-]/.test(value[i]!)) i++;
    return value.slice(start, i);
  };
  let current: Challenge | undefined;
  while (i < n) {
    skipSpace();
    if (value[i] === ',') {
      i++;
      continue;
    }
    const save = i;
    const token = readToken();
    if (!token) {
      i++;
      continue;
    }
    skipSpace();
    if (value[i] === '=' && current) {
      i++;
      skipSpace();
      let v = '';
      if (value[i] === '"') {
        i++;
        while (i < n && value[i] !== '"') {
          if (value[i] === '\\' && i + 1 < n) i++;
          v += value[i];
          i++;
        }
        i++;
      } else {
        v = readToken();
      }
      current.params[token.toLowerCase()] = v;
    } else if (i > save) {
      current = { scheme: token.toLowerCase(), params: {} };
      out.push(current);
    }
  }
  return out;
}

interface CachedToken {
  value: string;
  expiresAt: number;
}

/** Tokens are considered stale this long before the expiry the server told. */
const EXPIRY_MARGIN_MS = 10_000;
const DEFAULT_TOKEN_LIFETIME_S = 60;
const MAX_TOKEN_RESPONSE = 1 << 20;

export interface AuthOptions {
  dispatcher: Dispatcher;
  credentials?: CredentialResolver | undefined;
  /** Allows a plain-HTTP token realm on non-loopback hosts. */
  insecure?: boolean | undefined;
  userAgent: string;
  clientId: string;
}

/** Authorization state for one registry. */
export class Authenticator {
  private challenge: Challenge | null | undefined;
  private readonly tokens = new Map<string, CachedToken>();
  private credsLoaded: Promise<Credentials | undefined> | undefined;

  constructor(
    private readonly registry: string,
    private readonly opts: AuthOptions,
  ) {}

  /** True once a challenge (or its absence) has been seen. */
  get knowsChallenge(): boolean {
    return this.challenge !== undefined;
  }

  /** True when the registry asked for Basic or Bearer authentication. */
  get hasChallenge(): boolean {
    return !!this.challenge;
  }

  /**
   * Records the challenge of a response (none: the registry needs no auth). Returns the scopes
   * the challenge asked for, which belong to that one request rather than to the registry.
   */
  learn(wwwAuthenticate: string | undefined): string[] {
    if (!wwwAuthenticate) {
      this.challenge = null;
      return [];
    }
    const all = parseWwwAuthenticate(wwwAuthenticate);
    const chosen = all.find((c) => c.scheme === 'bearer') ?? all.find((c) => c.scheme === 'basic');
    if (!chosen) {
      this.challenge = null;
      return [];
    }
    const { scope, ...rest } = chosen.params;
    this.challenge = { scheme: chosen.scheme, params: rest };
    return (scope ?? '').split(' ').filter((s) => s.length > 0);
  }

  /** Forgets tokens for these scopes (after a 401 with a token that should have worked). */
  invalidate(scopes: string[]): void {
    this.tokens.delete(scopeKey(this.challenge, scopes));
  }

  private credentials(): Promise<Credentials | undefined> {
    this.credsLoaded ??= this.opts.credentials ? this.opts.credentials(this.registry) : Promise.resolve(undefined);
    return this.credsLoaded;
  }

  /** The Authorization header value for a request needing `scopes`, if the registry wants one. */
  async authorization(scopes: string[]): Promise<string | undefined> {
    const ch = this.challenge;
    if (!ch) return undefined;
    const creds = await this.credentials();
    if (ch.scheme === 'basic') {
      if (creds?.username === undefined || creds.password === undefined) return undefined;
      return `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
    }
    if (ch.scheme !== 'bearer') return undefined;
    if (creds?.registryToken) return `Bearer ${creds.registryToken}`;
    const realm = ch.params.realm;
    if (!realm) throw new Error(`${this.registry}: bearer challenge without realm`);
    const allScopes = [...new Set(scopes)].sort();
    const key = scopeKey(ch, allScopes);
    const cached = this.tokens.get(key);
    if (cached && cached.expiresAt > Date.now()) return `Bearer ${cached.value}`;
    const token = await this.fetchToken(realm, ch.params.service, allScopes, creds);
    this.tokens.set(key, token);
    return `Bearer ${token.value}`;
  }

  private async fetchToken(realm: string, service: string | undefined, scopes: string[], creds: Credentials | undefined): Promise<CachedToken> {
    const url = new URL(realm);
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && (this.opts.insecure || isLoopbackHost(url.host)))) {
      throw new Error(`${this.registry}: refusing token realm ${url.origin} over ${url.protocol} (use TLS or the insecure option)`);
    }
    const headers: Record<string, string> = { 'user-agent': this.opts.userAgent, accept: 'application/json' };
    let res;
    if (creds?.identityToken) {
      // OAuth2 refresh-token grant, as docker does for identity tokens.
      const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: creds.identityToken, client_id: this.opts.clientId });
      if (service) form.set('service', service);
      if (scopes.length > 0) form.set('scope', scopes.join(' '));
      headers['content-type'] = 'application/x-www-form-urlencoded';
      res = await send(this.opts.dispatcher, { method: 'POST', url: url.toString(), headers, body: Buffer.from(form.toString()) });
    } else {
      if (service) url.searchParams.set('service', service);
      for (const s of scopes) url.searchParams.append('scope', s);
      if (creds?.username !== undefined && creds.password !== undefined) {
        url.searchParams.set('account', creds.username);
        headers.authorization = `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
      }
      res = await send(this.opts.dispatcher, { method: 'GET', url: url.toString(), headers });
    }
    if (res.status !== 200) {
      const err = await toRegistryError(res, 'GET');
      throw new RegistryError({
        status: res.status === 401 || res.status === 403 ? res.status : 401,
        method: 'GET',
        url: `${url.origin}${url.pathname}`,
        errors: err.errors.length > 0 ? err.errors : [{ code: 'UNAUTHORIZED', message: `token service answered ${res.status}` }],
      });
    }
    const body = await readBounded(res.body, MAX_TOKEN_RESPONSE, 'token response');
    let doc: Record<string, unknown>;
    try {
      doc = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    } catch {
      throw new Error(`${this.registry}: token service answered with non-JSON`);
    }
    const value = typeof doc.token === 'string' ? doc.token : typeof doc.access_token === 'string' ? doc.access_token : undefined;
    if (!value) throw new Error(`${this.registry}: token service answer has no token`);
    const lifetime = typeof doc.expires_in === 'number' && doc.expires_in > 0 ? doc.expires_in : DEFAULT_TOKEN_LIFETIME_S;
    return { value, expiresAt: Date.now() + lifetime * 1000 - EXPIRY_MARGIN_MS };
  }
}

function scopeKey(ch: Challenge | null | undefined, scopes: string[]): string {
  return `${ch?.params.realm ?? ''}|${ch?.params.service ?? ''}|${[...scopes].sort().join(' ')}`;
}

export function repositoryScope(repository: string, actions: string): string {
  return `repository:${repository}:${actions}`;
}
