import { describe, expect, it } from 'vitest';
import { formatMisconfigTable, parseSeverities, sortFindings } from './format.js';
import type { MisconfigFinding } from './types.js';

const finding = (id: string, severity: MisconfigFinding['severity'], line: number): MisconfigFinding => ({
  id, severity, title: `t${id}`, message: `m${id}`, remediation: 'r', references: [],
  location: { kind: 'dockerfile', startLine: line, endLine: line },
});

describe('misconfig formatting', () => {
  it('parses severity lists', () => {
    expect(parseSeverities('critical, HIGH')).toEqual(['CRITICAL', 'HIGH']);
    expect(() => parseSeverities('HIGH,SEVERE')).toThrow(/unknown severity SEVERE/);
  });

  it('renders a table with counts', () => {
    const table = formatMisconfigTable('Dockerfile', sortFindings([finding('B', 'LOW', 3), finding('A', 'HIGH', 1)]));
    expect(table).toBe(
      [
        'Dockerfile',
        'Total: 2 (CRITICAL: 0, HIGH: 1, MEDIUM: 0, LOW: 1, UNKNOWN: 0)',
        '',
        'LOCATION  ID  SEVERITY  TITLE  MESSAGE',
        '--------  --  --------  -----  -------',
        '1         A   HIGH      tA     mA',
        '3         B   LOW       tB     mB',
        '',
      ].join('\n'),
    );
  });
});
