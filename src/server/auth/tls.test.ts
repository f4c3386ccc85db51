import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { cookieSettings, hsts, hstsHeader } from './tls.js';

describe('HSTS and cookies', () => {
  it('sends HSTS only over TLS', () => {
    expect(hstsHeader(true)).toBe('max-age=31536000; includeSubDomains');
    expect(hstsHeader(false)).toBeUndefined();
  });
  it('marks cookies Secure under TLS', () => {
    expect(cookieSettings(true)).toEqual({ httpOnly: true, sameSite: 'strict', secure: true, path: '/' });
    expect(cookieSettings(false).secure).toBe(false);
  });
  it('the plugin covers routes in other plugins, for HTTPS requests only', async () => {
    const app = Fastify({ trustProxy: true });
    await app.register(hsts, { maxAgeSeconds: 600 });
    await app.register(async (child) => {
      child.get('/inner', async () => ({ ok: true }));
    });
    app.get('/outer', async () => 'x');
    const viaTls = await app.inject({ url: '/inner', headers: { 'x-forwarded-proto': 'https' } });
    expect(viaTls.headers['strict-transport-security']).toBe('max-age=600; includeSubDomains');
    const errorViaTls = await app.inject({ url: '/nothing', headers: { 'x-forwarded-proto': 'https' } });
    expect(errorViaTls.statusCode).toBe(404);
    expect(errorViaTls.headers['strict-transport-security']).toBe('max-age=600; includeSubDomains');
    const plain = await app.inject({ url: '/outer' });
    expect(plain.headers['strict-transport-security']).toBeUndefined();
    await app.close();
  });
});
