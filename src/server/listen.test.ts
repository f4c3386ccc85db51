import { describe, expect, it } from 'vitest';
import { checkListenSecurity, isLoopback, listenWarning, splitAddr } from './listen.js';

describe('listen security', () => {
  it('splits addresses', () => {
    expect(splitAddr('127.0.0.1:5000')).toEqual({ host: '127.0.0.1', port: 5000 });
    expect(splitAddr('[::1]:8080')).toEqual({ host: '::1', port: 8080 });
    expect(() => splitAddr('nohost')).toThrow(/HOST:PORT/);
  });
  it('knows loopback', () => {
    expect(isLoopback('127.0.0.1')).toBe(true);
    expect(isLoopback('127.9.9.9')).toBe(true);
    expect(isLoopback('::1')).toBe(true);
    expect(isLoopback('localhost')).toBe(true);
    expect(isLoopback('0.0.0.0')).toBe(false);
    expect(isLoopback('10.0.0.1')).toBe(false);
  });
  it('knows loopback in every spelling, and nothing else', () => {
    for (const h of ['127.1.2.3', 'LOCALHOST', 'api.localhost', '[::1]', '0:0:0:0:0:0:0:1', '::0:1', '::ffff:127.0.0.1', '::1%lo']) {
      expect(isLoopback(h), h).toBe(true);
    }
    for (const h of ['::', '::2', '128.0.0.1', '::ffff:10.0.0.1', 'localhost.example.com', 'example.com', '', 'fe80::1']) {
      expect(isLoopback(h), h).toBe(false);
    }
  });
  it('warns about --insecure beyond loopback only', () => {
    expect(listenWarning('0.0.0.0:5000', false, true)).toMatch(/clear text/);
    expect(listenWarning('0.0.0.0:5000', true, true)).toBeUndefined();
    expect(listenWarning('127.0.0.1:5000', false, true)).toBeUndefined();
  });
  it('refuses plain HTTP beyond loopback unless told', () => {
    expect(() => checkListenSecurity('0.0.0.0:5000', false, false)).toThrow(/without TLS/);
    expect(() => checkListenSecurity('0.0.0.0:5000', true, false)).not.toThrow();
    expect(() => checkListenSecurity('0.0.0.0:5000', false, true)).not.toThrow();
    expect(() => checkListenSecurity('127.0.0.1:5000', false, false)).not.toThrow();
  });
});
