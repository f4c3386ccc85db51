import { isIP } from 'node:net';

/** Splits HOST:PORT (IPv6 hosts in brackets). */
export function splitAddr(addr: string): { host: string; port: number } {
  const m = /^(\[([0-9a-fA-F:.]+)\]|[^:\s]+):(\d{1,5})$/.exec(addr);
  if (!m) throw new Error(`invalid listen address ${addr}: expected HOST:PORT`);
  const port = Number(m[3]);
  if (port > 65535) throw new Error(`invalid port in ${addr}`);
  return { host: m[2] ?? m[1]!, port };
}

/** True for addresses only this machine can reach: 127.0.0.0/8, ::1 and "localhost". */
export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1' || host === '0:0:0:0:0:0:0:1';
  return false;
}

/** Plain HTTP only on loopback unless the operator explicitly says --insecure. */
export function checkListenSecurity(addr: string, tls: boolean, insecure: boolean): void {
  const { host } = splitAddr(addr);
  if (tls || insecure || isLoopback(host)) return;
  throw new Error(
    `refusing to listen on ${addr} without TLS: configure tls.cert and tls.key, or pass --insecure to serve plain HTTP beyond loopback`,
  );
}
