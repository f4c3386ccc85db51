import { isIP } from 'node:net';

/** Splits HOST:PORT (IPv6 hosts in brackets). */
export function splitAddr(addr: string): { host: string; port: number } {
  const m = /^(\[([0-9a-fA-F:.]+)\]|[^:\s]+):(\d{1,5})$/.exec(addr);
  if (!m) throw new Error(`invalid listen address ${addr}: expected HOST:PORT`);
  const port = Number(m[3]);
  if (port > 65535) throw new Error(`invalid port in ${addr}`);
  return { host: m[2] ?? m[1]!, port };
}

/**
 * True for addresses only this machine can reach: 127.0.0.0/8, ::1 (in any spelling, with or
 * without brackets or a zone), IPv4-mapped loopback (::ffff:127.x.y.z) and `localhost` names.
 */
export function isLoopback(host: string): boolean {
  let h = host.trim().toLowerCase();
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  const zone = h.indexOf('%');
  if (zone !== -1) h = h.slice(0, zone);
  if (h.startsWith('::ffff:') && isIP(h.slice(7)) === 4) h = h.slice(7);
  const version = isIP(h);
  if (version === 4) return h.split('.')[0] === '127';
  if (version === 6) return /^(?:0{1,4}:){7}0{0,3}1$/.test(expandIpv6(h));
  return false;
}

/** The eight groups of an IPv6 address written with `::`. */
function expandIpv6(h: string): string {
  if (!h.includes('::')) return h;
  const [head = '', tail = ''] = h.split('::');
  const a = head === '' ? [] : head.split(':');
  const b = tail === '' ? [] : tail.split(':');
  return [...a, ...Array<string>(8 - a.length - b.length).fill('0'), ...b].join(':');
}

/** Plain HTTP only on loopback unless the operator explicitly says --insecure. */
export function checkListenSecurity(addr: string, tls: boolean, insecure: boolean): void {
  const { host } = splitAddr(addr);
  if (tls || insecure || isLoopback(host)) return;
  throw new Error(
    `refusing to listen on ${addr} without TLS: configure tls.cert and tls.key, or pass --insecure to serve plain HTTP beyond loopback`,
  );
}

/** The warning to log when plain HTTP is served beyond loopback because of --insecure. */
export function listenWarning(addr: string, tls: boolean, insecure: boolean): string | undefined {
  if (tls || !insecure || isLoopback(splitAddr(addr).host)) return undefined;
  return `listening on ${addr} without TLS (--insecure): credentials and tokens travel in clear text`;
}
