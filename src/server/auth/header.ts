/** Parsing the Authorization header and building WWW-Authenticate challenges. */
import type { FastifyRequest } from 'fastify';
import { formatScope } from './scope.js';
import type { Scope } from './scope.js';

export type Credentials =
  | { kind: 'none' }
  | { kind: 'basic'; username: string; password: string }
  | { kind: 'bearer'; token: string }
  | { kind: 'malformed' };

export function parseAuthorization(header: string | undefined): Credentials {
  if (header === undefined || header.trim() === '') return { kind: 'none' };
  const space = header.indexOf(' ');
  if (space === -1) return { kind: 'malformed' };
  const scheme = header.slice(0, space).toLowerCase();
  const value = header.slice(space + 1).trim();
  if (scheme === 'bearer' && value !== '') return { kind: 'bearer', token: value };
  if (scheme === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0) return { kind: 'malformed' };
    return { kind: 'basic', username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  return { kind: 'malformed' };
}

function quote(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

export function bearerChallenge(opts: { realm: string; service: string; scopes?: readonly Scope[]; error?: 'invalid_token' | 'insufficient_scope' }): string {
  const parts = [`realm=${quote(opts.realm)}`, `service=${quote(opts.service)}`];
  if (opts.scopes && opts.scopes.length > 0) parts.push(`scope=${quote(opts.scopes.map(formatScope).join(' '))}`);
  if (opts.error) parts.push(`error=${quote(opts.error)}`);
  return `Bearer ${parts.join(',')}`;
}

/** The token endpoint URL as the client sees it (honours trustProxy through fastify). */
export function realmFor(req: FastifyRequest, configured?: string): string {
  return configured ?? `${req.protocol}://${req.host}/token`;
}

export function clientInfo(req: FastifyRequest): { source: string | null; userAgent: string | null } {
  const ua = req.headers['user-agent'];
  return { source: req.ip ?? null, userAgent: typeof ua === 'string' ? ua.slice(0, 512) : null };
}
