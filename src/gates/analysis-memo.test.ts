import { describe, expect, it } from 'vitest';
import { AnalysisMemo, type MemoAnalysis } from './analysis-memo.js';

const analysis = (name: string): MemoAnalysis =>
  ({ report: { artifact: { name } }, inventory: { packages: [], layers: [], warnings: [] }, input: { scanned: true, vulnerabilities: [], secrets: [], misconfigurations: [], baseImages: [] } }) as unknown as MemoAnalysis;

describe('recent push analyses', () => {
  it('answers with a copy of its own, forgets after the time to live, and keeps only the most recent', () => {
    let now = 0;
    const memo = new AnalysisMemo(2, 1000, () => now);
    memo.set('a', analysis('a'));
    const got = memo.get('a');
    expect(got?.report.artifact.name).toBe('a');
    got!.input.secrets.push({ ruleId: 'x', severity: 'LOW', title: 'x', where: 'x' });
    expect(memo.get('a')?.input.secrets).toEqual([]);

    memo.set('b', analysis('b'));
    memo.get('a');
    memo.set('c', analysis('c'));
    // 'b' was the least recently used of three.
    expect(memo.get('b')).toBeUndefined();
    expect(memo.get('a')).toBeDefined();
    expect(memo.get('c')).toBeDefined();

    now = 1001;
    expect(memo.get('a')).toBeUndefined();
  });
});
