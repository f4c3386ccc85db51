/**
 * Transport security for the web endpoints: HSTS and session-cookie settings. Whether plain
 * HTTP may be served at all (loopback or --insecure) is decided in ../listen.ts.
 */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';

/** Strict-Transport-Security for TLS responses (one year, subdomains); none over plain HTTP. */
export function hstsHeader(tls: boolean, maxAgeSeconds = 31_536_000): string | undefined {
  return tls ? `max-age=${maxAgeSeconds}; includeSubDomains` : undefined;
}

export interface CookieSettings {
  httpOnly: true;
  sameSite: 'strict';
  secure: boolean;
  path: '/';
}

/** Session cookies: never readable by scripts, never cross-site, `Secure` whenever TLS is on. */
export function cookieSettings(tls: boolean): CookieSettings {
  return { httpOnly: true, sameSite: 'strict', secure: tls, path: '/' };
}

export interface HstsOptions {
  maxAgeSeconds?: number;
}

/**
 * Adds Strict-Transport-Security to every response that went out over HTTPS (directly, or via a
 * TLS-terminating proxy when fastify's trustProxy is set, through `request.protocol`). Not
 * encapsulated: register it on the root instance before the routes, and it covers them all.
 */
export const hsts: FastifyPluginAsync<HstsOptions> = async (app: FastifyInstance, opts: HstsOptions) => {
  app.addHook('onSend', async (req, reply) => {
    const value = hstsHeader(req.protocol === 'https', opts.maxAgeSeconds);
    if (value) reply.header('strict-transport-security', value);
  });
};
// What fastify-plugin does: the hook applies to the parent (root) context, not a child one.
(hsts as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;
