import { describe, expect, it } from 'vitest';
import { formatReference, isLoopbackHost, parseReference, referenceTarget, ReferenceError } from './reference.js';

const D = `sha256:${'a'.repeat(64)}`;

describe('parseReference', () => {
  it.each([
    ['debian', { registry: 'docker.io', repository: 'library/debian', tag: 'latest' }],
    ['debian:12', { registry: 'docker.io', repository: 'library/debian', tag: '12' }],
    ['bitnami/redis:7.2', { registry: 'docker.io', repository: 'bitnami/redis', tag: '7.2' }],
    ['index.docker.io/library/alpine', { registry: 'docker.io', repository: 'library/alpine', tag: 'latest' }],
    ['localhost/foo', { registry: 'localhost', repository: 'foo', tag: 'latest' }],
    ['localhost:5000/a/b/c:v1', { registry: 'localhost:5000', repository: 'a/b/c', tag: 'v1' }],
    ['127.0.0.1:5077/x@' + D, { registry: '127.0.0.1:5077', repository: 'x', digest: D }],
    ['ghcr.io/o/r:t@' + D, { registry: 'ghcr.io', repository: 'o/r', tag: 't', digest: D }],
    ['[::1]:5000/img:1', { registry: '[::1]:5000', repository: 'img', tag: '1' }],
    ['my-registry.example.com/a__b/c-d.e:tag_1.0-x', { registry: 'my-registry.example.com', repository: 'a__b/c-d.e', tag: 'tag_1.0-x' }],
  ])('%s', (input, expected) => {
    expect(parseReference(input)).toEqual(expected);
  });

  it('can leave the tag out', () => {
    expect(parseReference('localhost:5000/foo', { defaultTag: false })).toEqual({ registry: 'localhost:5000', repository: 'foo' });
  });

  it.each(['', 'UPPER/case', 'foo@sha256:abc', 'foo:bad tag', 'foo:-x', 'a//b', 'foo/', 'localhost:5000/Foo', 'foo@md5:' + 'a'.repeat(32)])(
    'rejects %j',
    (input) => {
      expect(() => parseReference(input)).toThrow(ReferenceError);
    },
  );

  it('formats and targets', () => {
    const r = parseReference('localhost:5000/a:t@' + D);
    expect(formatReference(r)).toBe('localhost:5000/a:t@' + D);
    expect(referenceTarget(r)).toBe(D);
    expect(referenceTarget(parseReference('a:b'))).toBe('b');
  });
});

describe('isLoopbackHost', () => {
  it.each([
    ['localhost:5000', true],
    ['127.0.0.1', true],
    ['127.1.2.3:80', true],
    ['[::1]:5000', true],
    ['registry.example.com', false],
    ['10.0.0.1:5000', false],
    ['127.0.0.1.evil.com', false],
  ])('%s → %s', (h, want) => {
    expect(isLoopbackHost(h)).toBe(want);
  });
});
