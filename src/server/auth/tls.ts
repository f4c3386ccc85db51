/** Transport security decisions the server applies at startup and on every response. */
import { isIP } from 'node:net';

/** True for addresses only this machine can reach: 127.0.0.0/8, ::1, IPv4-mapped loopback, `localhost`. */
export function isLoopbackAddress(host: string): boolean {
  let h = host.trim().toLowerCase();
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  const zone = h.indexOf('%');
  if (zone !== -1) h = h.slice(0, zone);
  if (h.startsWith('::ffff:') && isIP(h.slice(7)) === 4) h = h.slice(7);
  const v = isIP(h);
  if (v === 4) return h.split('.')[0] === '127';
  if (v === 6) return /^(0{0,4}:){7}0{0,3}1$/.test(expandIpv6(h)) || h === '::1';
  return false;
}

function expandIpv6(h: string): string {
  if (!h.includes('::')) return h;
  const [head = '', tail = ''] = h.split('::');
  const a = head === '' ? [] : head.split(':');
  const b = tail === '' ? [] : tail.split(':');
  return [...a, ...Array<string>(8 - a.length - b.length).fill('0'), ...b].join(':');
}

export interface ListenSecurityInput {
  host: string;
  tls: boolean;
  insecure: boolean;
}

export type ListenDecision = { ok: true; warning?: string } | { ok: false; error: string };

/** Listening beyond loopback needs TLS, or an explicit `--insecure` (which is then warned about). */
export function checkListenSecurity(input: ListenSecurityInput): ListenDecision {
  if (input.tls || isLoopbackAddress(input.host)) return { ok: true };
  if (input.insecure) {
    return { ok: true, warning: `listening on ${input.host} without TLS (--insecure): credentials and tokens travel in clear text` };
  }
  return {
    ok: false,
    error: `refusing to listen on ${input.host} without TLS: give a certificate and key, listen on 127.0.0.1, or pass --insecure`,
  };
}

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
