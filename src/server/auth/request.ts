/**
 * Authentication for the /v2 routes: Bearer tokens from our token endpoint, or Basic credentials,
 * or nobody — and the Docker challenge when that is not enough.
 */
import type { FastifyRequest } from 'fastify';
import { clientInfo, bearerChallenge, parseAuthorization, realmFor } from './header.js';
import { covers } from './scope.js';
import type { AccessEntry, Scope } from './scope.js';
import { actorOf } from './service.js';
import type { AuthService } from './service.js';
import type { TokenActor } from './tokens.js';

export type AuthOutcome =
  | { ok: true; actor: TokenActor; access: AccessEntry[] }
  | {
      ok: false;
      /** 401 (no or bad credentials) or 403 (authenticated but not allowed). */
      status: 401 | 403;
      /** The OCI error code for the body. */
      code: 'UNAUTHORIZED' | 'DENIED';
      message: string;
      /** Always carries WWW-Authenticate. */
      headers: Record<string, string>;
      actor: TokenActor | null;
    };

/**
 * Decides whether the request may perform `needed`. An empty `needed` (the `/v2/` ping) asks
 * only for valid credentials: anonymous callers are challenged so clients start the token flow.
 */
export async function authenticateRequest(req: FastifyRequest, auth: AuthService, needed: readonly Scope[]): Promise<AuthOutcome> {
  const realm = realmFor(req, auth.options.realm);
  const service = auth.tokens.service;
  const creds = parseAuthorization(req.headers.authorization);
  const challenge = (error?: 'invalid_token' | 'insufficient_scope'): Record<string, string> => ({
    'www-authenticate': bearerChallenge({ realm, service, scopes: needed, ...(error ? { error } : {}) }),
  });
  const unauthorized = (message: string, error?: 'invalid_token'): AuthOutcome => ({
    ok: false, status: 401, code: 'UNAUTHORIZED', message, headers: challenge(error), actor: null,
  });
  const denied = (actor: TokenActor): AuthOutcome => ({
    ok: false, status: 403, code: 'DENIED', message: 'requested access to the resource is denied', headers: challenge('insufficient_scope'), actor,
  });

  if (creds.kind === 'malformed') return unauthorized('malformed Authorization header');

  if (creds.kind === 'bearer') {
    let verified;
    try {
      verified = await auth.tokens.verifyAccessToken(creds.token);
    } catch {
      return unauthorized('invalid or expired token', 'invalid_token');
    }
    if (needed.length === 0) {
      if (verified.actor.kind === 'anonymous') return unauthorized('authentication required');
      return { ok: true, actor: verified.actor, access: verified.access };
    }
    if (covers(verified.access, needed)) return { ok: true, actor: verified.actor, access: verified.access };
    // An anonymous token lacking scope: the client should log in, not give up.
    return verified.actor.kind === 'anonymous' ? unauthorized('authentication required') : denied(verified.actor);
  }

  let principal;
  if (creds.kind === 'basic') {
    const login = await auth.login(creds.username, creds.password, clientInfo(req));
    if (!login.ok) return unauthorized(login.reason === 'locked' ? 'account temporarily locked' : 'invalid credentials');
    principal = login.principal;
  } else {
    if (needed.length === 0) return unauthorized('authentication required');
    principal = { kind: 'anonymous' } as const;
  }
  const access = await auth.grant(principal, needed);
  if (covers(access, needed)) return { ok: true, actor: actorOf(principal), access };
  return principal.kind === 'anonymous' ? unauthorized('authentication required') : denied(actorOf(principal));
}

/** Sends an OCI error response for a failed AuthOutcome. */
export function errorBody(outcome: Extract<AuthOutcome, { ok: false }>): { errors: { code: string; message: string; detail: null }[] } {
  return { errors: [{ code: outcome.code, message: outcome.message, detail: null }] };
}
