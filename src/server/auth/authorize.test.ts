import { describe, expect, it } from 'vitest';
import { authorize, authorizeCatalog } from './authorize.js';
import { API_COLUMNS, API_MATRIX, AUTHZ_MATRIX, MATRIX_ACTIONS, PROJECT_KINDS, apiExpectation, matrixProject } from './matrix.js';

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

describe('API_MATRIX', () => {
  it('has a well-formed row for every principal of AUTHZ_MATRIX', () => {
    expect(Object.keys(API_MATRIX).sort()).toEqual(AUTHZ_MATRIX.map((r) => r.label).sort());
    for (const [label, row] of Object.entries(API_MATRIX)) {
      for (const column of API_COLUMNS) {
        const cells = row[column].split(' ');
        expect(cells, `${label} ${column}`).toHaveLength(column.startsWith('project-') ? PROJECT_KINDS.length : 1);
        for (const c of cells) expect(['ok', '401', '403', '404'], `${label} ${column}`).toContain(c);
      }
    }
    expect(apiExpectation('guest', 'project-admin', 'private')).toBe('403');
    expect(apiExpectation('guest', 'project-admin', 'missing')).toBe('404');
    expect(() => apiExpectation('nobody', 'user')).toThrow(/no API_MATRIX row/);
  });
});
