import { describe, expect, it } from 'vitest';
import { checkListenSecurity, cookieSettings, hstsHeader, isLoopbackAddress } from './tls.js';

describe('isLoopbackAddress', () => {
  const loopback = ['127.0.0.1', '127.1.2.3', 'localhost', 'LOCALHOST', 'api.localhost', '::1', '[::1]', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1'];
  const remote = ['0.0.0.0', '::', '10.0.0.1', '192.168.1.10', '128.0.0.1', 'example.com', '::2', '::ffff:10.0.0.1', 'localhost.example.com', ''];
  for (const h of loopback) it(`${h} is loopback`, () => expect(isLoopbackAddress(h)).toBe(true));
  for (const h of remote) it(`${JSON.stringify(h)} is not loopback`, () => expect(isLoopbackAddress(h)).toBe(false));
});

describe('checkListenSecurity', () => {
  it('allows loopback without TLS', () => expect(checkListenSecurity({ host: '127.0.0.1', tls: false, insecure: false })).toEqual({ ok: true }));
  it('allows anything with TLS', () => expect(checkListenSecurity({ host: '0.0.0.0', tls: true, insecure: false })).toEqual({ ok: true }));
  it('refuses non-loopback without TLS', () => {
    const d = checkListenSecurity({ host: '0.0.0.0', tls: false, insecure: false });
    expect(d.ok).toBe(false);
    expect(!d.ok && d.error).toMatch(/--insecure/);
  });
  it('allows non-loopback with --insecure, with a warning', () => {
    const d = checkListenSecurity({ host: '10.1.2.3', tls: false, insecure: true });
    expect(d.ok && d.warning).toMatch(/clear text/);
  });
});

describe('HSTS and cookies', () => {
  it('sends HSTS only over TLS', () => {
    expect(hstsHeader(true)).toBe('max-age=31536000; includeSubDomains');
    expect(hstsHeader(false)).toBeUndefined();
  });
  it('marks cookies Secure under TLS', () => {
    expect(cookieSettings(true)).toEqual({ httpOnly: true, sameSite: 'strict', secure: true, path: '/' });
    expect(cookieSettings(false).secure).toBe(false);
  });
});
