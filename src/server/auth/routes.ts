/**
 * The Docker token endpoint: GET /token (Basic auth or anonymous; `offline_token=true` adds a
 * refresh token) and POST /token (OAuth2 form: grant_type=password | refresh_token).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { serverJwks } from './keys.js';
import type { ServerKey } from './keys.js';
import { clientInfo, parseAuthorization } from './header.js';
import type { Principal } from './principal.js';
import { formatScope, parseScopes } from './scope.js';
import type { Scope } from './scope.js';
import { actorOf } from './service.js';
import type { AuthService, LoginResult } from './service.js';

export interface TokenRoutesOptions {
  auth: AuthService;
  key: ServerKey;
}

function tokenError(reply: FastifyReply, status: number, error: string, description: string): FastifyReply {
  return reply.code(status).send({ error, error_description: description, errors: [{ code: status === 401 ? 'UNAUTHORIZED' : 'DENIED', message: description }] });
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export async function tokenRoutes(app: FastifyInstance, opts: TokenRoutesOptions): Promise<void> {
  const { auth } = opts;

  // OAuth2 token requests are form-encoded; scoped to this plugin.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  async function respond(
    req: FastifyRequest,
    reply: FastifyReply,
    principal: Principal,
    scopes: Scope[],
    oauth: boolean,
    refresh: { issue: number } | { reuse: string } | null,
  ): Promise<FastifyReply> {
    const access = await auth.grant(principal, scopes);
    const actor = actorOf(principal);
    const issued = await auth.tokens.issueAccessToken(actor, access);
    const body: Record<string, unknown> = {
      token: issued.token,
      access_token: issued.token,
      expires_in: issued.expiresIn,
      issued_at: issued.issuedAt.toISOString(),
    };
    if (oauth) body.scope = access.map(formatScope).join(' ');
    if (refresh && principal.kind !== 'anonymous') {
      // A reused refresh token is handed back: docker keeps it as its identity token.
      body.refresh_token = 'reuse' in refresh ? refresh.reuse : await auth.tokens.issueRefreshToken(actor, refresh.issue);
    }
    const client = clientInfo(req);
    await auth.audit.record({
      actor: { type: actor.kind, name: actor.name },
      source: client.source,
      userAgent: client.userAgent,
      action: 'auth.token',
      outcome: 'success',
      detail: { requested: scopes.map(formatScope), granted: access.map(formatScope) },
    });
    return reply.header('cache-control', 'no-store').send(body);
  }

  function checkService(service: string | undefined): boolean {
    return service === undefined || service === '' || service === auth.tokens.service;
  }

  function loginFailure(reply: FastifyReply, login: Extract<LoginResult, { ok: false }>): FastifyReply {
    if (login.reason === 'locked') reply.header('retry-after', String(Math.ceil((login.retryAfterMs ?? 0) / 1000)));
    return tokenError(reply, 401, 'invalid_grant', login.reason === 'locked' ? 'too many failed logins: try again later' : 'invalid credentials');
  }

  app.get('/token', async (req, reply) => {
    const q = req.query as Record<string, string | string[] | undefined>;
    if (!checkService(str(q.service))) return tokenError(reply, 400, 'invalid_request', 'unknown service');
    const { scopes, invalid } = parseScopes(q.scope);
    if (invalid.length > 0) return tokenError(reply, 400, 'invalid_scope', `invalid scope: ${invalid.join(' ')}`);
    const creds = parseAuthorization(req.headers.authorization);
    if (creds.kind === 'malformed' || creds.kind === 'bearer') return tokenError(reply, 401, 'invalid_request', 'use Basic authentication or none');
    if (creds.kind === 'none') return respond(req, reply, { kind: 'anonymous' }, scopes, false, null);
    const login = await auth.login(creds.username, creds.password, clientInfo(req));
    if (!login.ok) return loginFailure(reply, login);
    const refresh = str(q.offline_token) === 'true' ? { issue: login.credentialVersion } : null;
    return respond(req, reply, login.principal, scopes, false, refresh);
  });

  app.post('/token', async (req, reply) => {
    const form = (req.body ?? {}) as Record<string, unknown>;
    if (!checkService(str(form.service))) return tokenError(reply, 400, 'invalid_request', 'unknown service');
    const { scopes, invalid } = parseScopes(str(form.scope));
    if (invalid.length > 0) return tokenError(reply, 400, 'invalid_scope', `invalid scope: ${invalid.join(' ')}`);
    const grantType = str(form.grant_type);
    if (grantType === 'password') {
      const username = str(form.username);
      const password = str(form.password);
      if (!username || password === undefined) return tokenError(reply, 400, 'invalid_request', 'username and password are required');
      const login = await auth.login(username, password, clientInfo(req));
      if (!login.ok) return loginFailure(reply, login);
      const refresh = str(form.access_type) === 'offline' ? { issue: login.credentialVersion } : null;
      return respond(req, reply, login.principal, scopes, true, refresh);
    }
    if (grantType === 'refresh_token') {
      const token = str(form.refresh_token);
      if (!token) return tokenError(reply, 400, 'invalid_request', 'refresh_token is required');
      const principal = await auth.principalFromRefreshToken(token);
      if (!principal) {
        const client = clientInfo(req);
        await auth.audit.record({ actor: { type: 'anonymous', name: null }, ...client, action: 'auth.refresh', outcome: 'failure', reasons: ['invalid refresh token'] });
        return tokenError(reply, 401, 'invalid_grant', 'invalid or expired refresh token');
      }
      return respond(req, reply, principal, scopes, true, { reuse: token });
    }
    return tokenError(reply, 400, 'unsupported_grant_type', 'grant_type must be password or refresh_token');
  });

  app.get('/token/jwks.json', async () => serverJwks(opts.key));
}
