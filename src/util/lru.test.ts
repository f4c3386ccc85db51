import { describe, expect, it } from 'vitest';
import { LruMap } from './lru.js';

describe('LruMap', () => {
  it('drops the least recently used entry beyond its bound', () => {
    const m = new LruMap<string, number>(2);
    m.set('a', 1);
    m.set('b', 2);
    expect(m.get('a')).toBe(1);
    m.set('c', 3);
    expect(m.get('b')).toBeUndefined();
    expect([m.get('a'), m.get('c'), m.size]).toEqual([1, 3, 2]);
    m.set('a', 4);
    m.set('d', 5);
    expect([m.get('c'), m.get('a'), m.get('d')]).toEqual([undefined, 4, 5]);
    expect(m.delete('a')).toBe(true);
    expect(m.size).toBe(1);
  });
});
