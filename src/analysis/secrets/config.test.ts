import { describe, expect, it } from 'vitest';
import { SecretConfigError, parseSecretConfig, scannerFromConfig, translateRegex } from './config.js';
import { gen } from './testing/samples.js';

function issues(yaml: string): string[] {
  try {
    parseSecretConfig(yaml);
  } catch (err) {
    if (err instanceof SecretConfigError) return err.issues;
    throw err;
  }
  throw new Error('expected a SecretConfigError');
}

describe('portcullis-secret.yaml', () => {
  const internal = `itk_${gen('abcdef0123456789', 32)}`;
  const yaml = `
rules:
  - id: internal-token
    category: Acme
    title: Acme internal token
    severity: HIGH
    regex: '(?i)(?P<tok>itk_[a-f0-9]{32})'
    secret-group-name: tok
    keywords: [ITK_]
allow-rules:
  - id: fixtures
    path: '^/srv/fixtures/'
  - id: test-token
    regex: '^glpat-TESTTESTTEST'
disable-rules: [jwt-token]
`;

  it('adds custom rules, disables rules and applies allow rules', () => {
    const config = parseSecretConfig(yaml);
    expect(config.rules[0]).toMatchObject({ id: 'internal-token', flags: 'i', keywords: ['itk_'], regex: '(?<secret>itk_[a-f0-9]{32})' });
    const scanner = scannerFromConfig(config);
    const ids = (path: string, text: string) => scanner.scanFile(path, Buffer.from(text)).matches.map((m) => m.rule.id);
    expect(ids('/app/a', `token: ${internal.toUpperCase()}`)).toEqual(['internal-token']);
    expect(ids('/srv/fixtures/a', internal)).toEqual([]);
    expect(ids('/app/a', 'glpat-TESTTESTTEST12345678')).toEqual([]);
    expect(ids('/app/a', `glpat-${gen('abcdefABCDEF0123', 20)}`)).toEqual(['gitlab-pat']);
    const jwt = `eyJ${gen('abcdefABCDEF', 20)}.eyJ${gen('abcdefABCDEF', 20)}.${gen('abcdefABCDEF', 20)}`;
    expect(ids('/app/a', jwt)).toEqual([]);
  });

  it('accepts an empty file', () => {
    expect(parseSecretConfig('')).toMatchObject({ rules: [], disabledRules: [], defaultAllowPaths: true });
  });

  it('reports field-level errors', () => {
    expect(issues('rules:\n  - id: Bad Id\n    title: t\n    regex: "("\n    keywords: []\n')).toEqual([
      'rules[0].id: rule ids are lower-case words joined by "-"',
      expect.stringMatching(/^rules\[0\]\.regex: invalid regular expression: /),
      'rules[0].keywords: at least one keyword is required (it drives the fast prefilter)',
    ]);
    expect(issues('disable-rules: [no-such-rule]\n')).toEqual(['disable-rules[0]: unknown rule "no-such-rule"']);
    expect(issues('allow-rules:\n  - id: x\n')).toEqual(['allow-rules[0]: an allow rule needs `regex` or `path`']);
    expect(issues('unknown-key: 1\n')[0]).toMatch(/Unrecognized key/);
    expect(issues('rules: [')[0]).toMatch(/^not valid YAML/);
  });

  it('translates RE2 syntax or explains why not', () => {
    expect(translateRegex('(?i)a(?P<x>b)')).toEqual({ source: 'a(?<x>b)', flags: 'i' });
    expect(() => translateRegex('a(?i)b')).toThrow(/inline flags/);
    expect(() => translateRegex('(?P<x>a)', 'y')).toThrow(/secret group "y"/);
  });
});
