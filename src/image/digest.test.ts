import { describe, expect, it } from 'vitest';
import { Digester, digestOf, parseDigest } from './digest.js';

describe('digest', () => {
  it('parses sha256 and sha512 and rejects malformed values', () => {
    const d = digestOf('hello');
    expect(parseDigest(d)).toEqual({ algorithm: 'sha256', hex: d.slice(7) });
    expect(parseDigest(digestOf('x', 'sha512'))?.algorithm).toBe('sha512');
    expect(parseDigest('sha256:abc')).toBeUndefined();
    expect(parseDigest(`md5:${'a'.repeat(32)}`)).toBeUndefined();
    expect(parseDigest(`sha256:${'A'.repeat(64)}`)).toBeUndefined();
  });
  it('hashes incrementally to the same value', () => {
    const h = new Digester();
    h.update(Buffer.from('hel'));
    h.update(Buffer.from('lo'));
    expect(h.digest()).toBe(digestOf('hello'));
    expect(h.size).toBe(5);
  });
});
