import { describe, expect, it } from 'vitest';
import { covers, formatScope, parseScope, parseScopes } from './scope.js';

describe('scope parsing', () => {
  it('parses repository and registry scopes', () => {
    expect(parseScope('repository:proj/app:pull,push')).toEqual({ type: 'repository', name: 'proj/app', actions: ['pull', 'push'] });
    expect(parseScope('registry:catalog:*')).toEqual({ type: 'registry', name: 'catalog', actions: ['*'] });
    expect(parseScope('repository(plugin):proj/app:pull')).toEqual({ type: 'repository', name: 'proj/app', actions: ['pull'] });
    expect(parseScope('repository:localhost:5000/proj/app:pull')?.name).toBe('localhost:5000/proj/app');
  });
  it('rejects malformed scopes', () => {
    for (const bad of ['', 'repository', 'repository:x', ':x:pull', 'repository::pull', 'repository:x:pu ll', 'Repo:x:pull', 'repository:x:pull;rm']) {
      expect(parseScope(bad), bad).toBeUndefined();
    }
  });
  it('takes repeated and space-separated scopes and merges the same resource', () => {
    const { scopes, invalid } = parseScopes(['repository:a/b:pull repository:c/d:push', 'repository:a/b:push', 'junk']);
    expect(scopes).toEqual([
      { type: 'repository', name: 'a/b', actions: ['pull', 'push'] },
      { type: 'repository', name: 'c/d', actions: ['push'] },
    ]);
    expect(invalid).toEqual(['junk']);
    expect(formatScope(scopes[0]!)).toBe('repository:a/b:pull,push');
  });
  it('checks coverage, with * covering everything', () => {
    const access = [{ type: 'repository', name: 'a/b', actions: ['pull'] }, { type: 'repository', name: 'x/y', actions: ['*'] }];
    expect(covers(access, [{ type: 'repository', name: 'a/b', actions: ['pull'] }])).toBe(true);
    expect(covers(access, [{ type: 'repository', name: 'a/b', actions: ['pull', 'push'] }])).toBe(false);
    expect(covers(access, [{ type: 'repository', name: 'x/y', actions: ['delete'] }])).toBe(true);
    expect(covers(access, [{ type: 'repository', name: 'other', actions: ['pull'] }])).toBe(false);
    expect(covers(access, [])).toBe(true);
  });
});
