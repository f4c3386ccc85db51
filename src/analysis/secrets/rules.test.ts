import { describe, expect, it } from 'vitest';
import { BUILTIN_RULES } from './rules/index.js';
import { SecretScanner } from './scanner.js';
import { SAMPLES } from './testing/samples.js';

const scanner = new SecretScanner();

function ruleIds(text: string, path = '/app/config.txt'): string[] {
  return scanner.scanFile(path, Buffer.from(text)).matches.map((m) => m.rule.id);
}

describe('built-in secret rules', () => {
  it('has at least 120 rules with unique ids, keywords and valid regexes', () => {
    expect(BUILTIN_RULES.length).toBeGreaterThanOrEqual(120);
    expect(new Set(BUILTIN_RULES.map((r) => r.id)).size).toBe(BUILTIN_RULES.length);
    for (const r of BUILTIN_RULES) {
      expect(r.keywords.length, r.id).toBeGreaterThan(0);
      for (const k of r.keywords) expect(k, r.id).toBe(k.toLowerCase());
      expect(() => new RegExp(r.regex, r.flags), r.id).not.toThrow();
    }
  });

  it('has a true and a false sample for every rule', () => {
    const missing = BUILTIN_RULES.map((r) => r.id).filter((id) => !SAMPLES[id]);
    expect(missing).toEqual([]);
    const unknown = Object.keys(SAMPLES).filter((id) => !BUILTIN_RULES.some((r) => r.id === id));
    expect(unknown).toEqual([]);
  });

  describe.each(BUILTIN_RULES.map((r) => [r.id]))('%s', (id) => {
    const sample = SAMPLES[id]!;
    it('matches its true sample', () => {
      expect(ruleIds(`# config\n${sample.hit}\n`, sample.path)).toContain(id);
    });
    it('does not match its false sample', () => {
      expect(ruleIds(`# config\n${sample.miss}\n`, sample.path)).not.toContain(id);
    });
    it('never returns the secret in clear', () => {
      const m = scanner.scanFile(sample.path ?? '/app/config.txt', Buffer.from(sample.hit)).matches.find((x) => x.rule.id === id)!;
      const secret = sample.hit.slice(m.start, m.end);
      expect(m.masked).not.toContain(secret);
      expect(m.masked).toContain('*');
    });
  });
});
