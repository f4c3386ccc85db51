import { describe, expect, it } from 'vitest';
import { authorize, authorizeCatalog } from './authorize.js';
import { AUTHZ_MATRIX, MATRIX_ACTIONS, PROJECT_KINDS, matrixProject } from './matrix.js';

const now = new Date('2026-01-01T00:00:00Z');

describe('authorize: the full matrix', () => {
  for (const row of AUTHZ_MATRIX) {
    for (const kind of PROJECT_KINDS) {
      const expected = row.granted[kind].split(' ').filter(Boolean);
      for (const action of MATRIX_ACTIONS) {
        const want = expected.includes(action);
        it(`${row.label} on a ${kind} project: ${action} ${want ? 'granted' : 'refused'}`, () => {
          const got = authorize({ principal: row.principal, project: matrixProject(kind), role: row.role, requested: [action], now });
          expect(got).toEqual(want ? [action] : []);
        });
      }
      it(`${row.label} on a ${kind} project: all at once`, () => {
        const got = authorize({ principal: row.principal, project: matrixProject(kind), role: row.role, requested: [...MATRIX_ACTIONS], now });
        expect(got).toEqual(expected);
      });
    }
  }
});

describe('authorize: edge cases', () => {
  const dev = AUTHZ_MATRIX.find((r) => r.label === 'developer')!;
  it('never grants unknown actions, deduplicates, keeps request order', () => {
    const got = authorize({ principal: dev.principal, project: matrixProject('private'), role: 'developer', requested: ['push', 'admin', 'pull', 'push'], now });
    expect(got).toEqual(['push', 'pull']);
  });
  it('a robot expiring exactly now is expired', () => {
    const got = authorize({
      principal: { kind: 'robot', id: 'r', name: 'robot$proj+x', project: 'proj', actions: ['pull'], expiresAt: now, revoked: false },
      project: matrixProject('private'),
      role: null,
      requested: ['pull'],
      now,
    });
    expect(got).toEqual([]);
  });
  it('the (filtered) catalog is for authenticated accounts only', () => {
    expect(authorizeCatalog({ kind: 'user', id: 'a', name: 'admin', admin: true }, ['*'])).toEqual(['*']);
    expect(authorizeCatalog({ kind: 'user', id: 'b', name: 'bob', admin: false }, ['*', 'pull'])).toEqual(['*']);
    expect(authorizeCatalog({ kind: 'anonymous' }, ['*'])).toEqual([]);
  });
});
