import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalisePath } from './path.js';

/** The definition: split on "/", drop "" and ".", ".." pops (clamped at the root). */
function reference(name: string, base = '/'): string {
  const parts: string[] = [];
  for (const seg of (name.startsWith('/') ? name : `${base}/${name}`).split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') parts.pop();
    else parts.push(seg);
  }
  return `/${parts.join('/')}`;
}

describe('normalisePath', () => {
  it('normalises archive names to absolute virtual paths', () => {
    expect(normalisePath('./usr/bin/x')).toBe('/usr/bin/x');
    expect(normalisePath('usr/lib/')).toBe('/usr/lib');
    expect(normalisePath('/etc/passwd')).toBe('/etc/passwd');
    expect(normalisePath('./')).toBe('/');
    expect(normalisePath('')).toBe('/');
    expect(normalisePath('.hidden/..x')).toBe('/.hidden/..x');
    expect(normalisePath('a//b/./c/../d')).toBe('/a/b/d');
    expect(normalisePath('../../../etc/shadow')).toBe('/etc/shadow');
    expect(normalisePath('x', '/usr/lib')).toBe('/usr/lib/x');
  });

  it('agrees with the split-and-fold definition on any name (fast path included)', () => {
    const name = fc.array(fc.constantFrom('a', 'b', '.', '/', '..', './', '/.', 'é'), { maxLength: 14 }).map((p) => p.join(''));
    fc.assert(
      fc.property(name, fc.constantFrom('/', '/usr', '/a/b'), (n, base) => {
        expect(normalisePath(n, base)).toBe(reference(n, base));
      }),
      { numRuns: 3000 },
    );
  });
});
