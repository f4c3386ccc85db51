import { describe, expect, it } from 'vitest';
import { npmAnalyzer } from './npm.js';
import { input } from './testing/input.js';

describe('npm analyzer', () => {
  it('reads every package.json with a string name and version', () => {
    const out = npmAnalyzer.analyze(
      input({
        '/app/package.json': JSON.stringify({ name: 'app', version: '1.0.0', private: true }),
        '/app/node_modules/@types/node/package.json': JSON.stringify({ name: '@types/node', version: '18.18.14', license: 'MIT' }),
        '/app/node_modules/old/package.json': JSON.stringify({ name: 'old', version: '0.1.0', licenses: [{ type: 'BSD' }] }),
        '/app/node_modules/noversion/package.json': JSON.stringify({ name: 'noversion' }),
        '/app/node_modules/numver/package.json': JSON.stringify({ name: 'numver', version: 1 }),
        '/app/node_modules/bad/package.json': '{ not json',
      }),
    );
    expect(out.packages?.map((p) => [p.name, p.version, p.purl, p.path, p.licenses])).toEqual([
      ['app', '1.0.0', 'pkg:npm/app@1.0.0', '/app/package.json', undefined],
      ['@types/node', '18.18.14', 'pkg:npm/%40types/node@18.18.14', '/app/node_modules/@types/node/package.json', ['MIT']],
      ['old', '0.1.0', 'pkg:npm/old@0.1.0', '/app/node_modules/old/package.json', ['BSD']],
    ]);
    expect(out.packages?.[0]?.ecosystem).toBe('npm');
    expect(out.warnings?.map((w) => w.path)).toEqual(['/app/node_modules/bad/package.json']);
  });

  it('wants package.json only', () => {
    expect(npmAnalyzer.wants({ path: '/usr/share/nodejs/acorn/package.json', size: 1, mode: 0 })).toBe(true);
    expect(npmAnalyzer.wants({ path: '/app/package-lock.json', size: 1, mode: 0 })).toBe(false);
  });
});
