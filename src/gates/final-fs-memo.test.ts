import { describe, expect, it } from 'vitest';
import type { PlacedFile } from '../scan/cache.js';
import { FinalFsMemo } from './final-fs-memo.js';

const view = (n: number, tag = 'f'): PlacedFile[] =>
  Array.from({ length: n }, (_, i) => ({ path: `/${tag}${i}`, type: 'file' as const, mode: 0o644, uid: 0, gid: 0, layerIndex: 0 }));

describe('FinalFsMemo', () => {
  it('answers per exact chain of layers, with the view it was given, frozen', () => {
    const memo = new FinalFsMemo();
    const files = view(3);
    const kept = memo.set(['a', 'b'], files);
    expect(memo.get(['a', 'b'])).toBe(kept);
    expect(kept.map((f) => f.path)).toEqual(['/f0', '/f1', '/f2']);
    expect(memo.get(['a'])).toBeUndefined();
    expect(memo.get(['b', 'a'])).toBeUndefined();
    expect(memo.get(['a\nb'])).toBeUndefined();
    expect(Object.isFrozen(kept)).toBe(true);
    expect(Object.isFrozen(kept[0])).toBe(true);
  });

  it('drops the least recently used image beyond its image bound', () => {
    const memo = new FinalFsMemo(2, 1000);
    memo.set(['one'], view(1));
    memo.set(['two'], view(1));
    expect(memo.get(['one'])).toBeDefined();
    memo.set(['three'], view(1));
    expect(memo.size).toBe(2);
    expect(memo.get(['two'])).toBeUndefined();
    expect(memo.get(['one'])).toBeDefined();
    expect(memo.get(['three'])).toBeDefined();
  });

  it('holds at most its file bound, and never keeps a view larger than it', () => {
    const memo = new FinalFsMemo(10, 10);
    memo.set(['big'], view(11));
    expect(memo.get(['big'])).toBeUndefined();
    memo.set(['six'], view(6));
    memo.set(['five'], view(5));
    expect(memo.get(['six'])).toBeUndefined();
    expect(memo.get(['five'])).toHaveLength(5);
    // Replacing a chain's view counts its files once.
    memo.set(['five'], view(5, 'g'));
    memo.set(['four'], view(4));
    expect(memo.get(['five'])?.[0]?.path).toBe('/g0');
    expect(memo.get(['four'])).toHaveLength(4);
  });
});
