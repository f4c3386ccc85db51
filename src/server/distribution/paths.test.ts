import { describe, expect, it } from 'vitest';
import { parseV2Path } from './paths.js';

describe('parseV2Path', () => {
  it('recognises every route, with slashes in names', () => {
    expect(parseV2Path('/v2/')).toEqual({ kind: 'base' });
    expect(parseV2Path('/v2')).toEqual({ kind: 'base' });
    expect(parseV2Path('/v2/_catalog')).toEqual({ kind: 'catalog' });
    expect(parseV2Path('/v2/a/b/c/tags/list')).toEqual({ kind: 'tags', name: 'a/b/c' });
    expect(parseV2Path('/v2/a/b/manifests/latest')).toEqual({ kind: 'manifest', name: 'a/b', reference: 'latest' });
    expect(parseV2Path('/v2/a/blobs/uploads/')).toEqual({ kind: 'uploads', name: 'a' });
    expect(parseV2Path('/v2/a/blobs/uploads/123')).toEqual({ kind: 'upload', name: 'a', id: '123' });
    expect(parseV2Path('/v2/a/blobs/sha256%3Aabc')).toEqual({ kind: 'blob', name: 'a', digest: 'sha256:abc' });
    expect(parseV2Path('/v2/x/blobs/blobs/d')).toEqual({ kind: 'blob', name: 'x/blobs', digest: 'd' });
    expect(parseV2Path('/v2/a/referrers/sha256:1')).toEqual({ kind: 'referrers', name: 'a', digest: 'sha256:1' });
  });
  it('rejects what is not an API route', () => {
    expect(parseV2Path('/v2/a/unknown')).toBeUndefined();
    expect(parseV2Path('/v3/')).toBeUndefined();
    expect(parseV2Path('/v2/%E0%A4%A')).toBeUndefined();
  });
});
