import { describe, expect, it } from 'vitest';
import { fixtureReport } from '../report/testdata/fixture.js';
import { applyFilters } from './filters.js';
import { globMatch, IgnoreFileError, parseIgnoreYaml, parseTrivyIgnore } from './ignore.js';
import { parseVex, VexError } from './vex.js';

const NOW = new Date('2026-06-15T12:00:00Z');

describe('.trivyignore', () => {
  it('parses ids, comments and exp: dates; rejects junk after an id', () => {
    const r = parseTrivyIgnore('# comment\nCVE-2024-0727\n\nGHSA-35jh-r3h4-6jhm exp:2026-06-15 # until the fix\n  private-key  \n');
    expect(r.entries.map((e) => [e.id, e.expires])).toEqual([
      ['CVE-2024-0727', undefined],
      ['GHSA-35jh-r3h4-6jhm', '2026-06-15'],
      ['private-key', undefined],
    ]);
    expect(r.entries[1]!.source).toBe('.trivyignore:4');
    expect(() => parseTrivyIgnore('CVE-1 exp:tomorrow')).toThrow(IgnoreFileError);
  });

  it('suppresses vulnerabilities (by id or alias), secret rules and checks, and counts them', () => {
    const r = applyFilters(fixtureReport(), { ignore: parseTrivyIgnore('CVE-2021-23337\ngeneric-password\nPCS-DF-004\n'), now: NOW });
    expect(r.vulnerabilities.map((v) => v.advisoryId)).toEqual(['CVE-2024-0727', 'GHSA-aaaa-bbbb-cccc']);
    expect(r.secrets.map((s) => s.ruleId)).toEqual(['npm-access-token']);
    expect(r.misconfigurations.map((m) => m.id)).toEqual(['PCS-IMG-001']);
    expect(r.suppressed).toMatchObject({ total: 3, vulnerabilities: 1, secrets: 1, misconfigurations: 1 });
    expect(r.suppressed.items[0]).toMatchObject({ kind: 'vulnerability', id: 'GHSA-35jh-r3h4-6jhm', by: 'ignorefile', source: '.trivyignore:1' });
    expect(r.totals.findings).toBe(4);
  });

  it('an expired entry no longer applies and is reported as a warning; the expiry day itself still counts', () => {
    const kept = applyFilters(fixtureReport(), { ignore: parseTrivyIgnore('CVE-2024-0727 exp:2026-06-14'), now: NOW });
    expect(kept.vulnerabilities.map((v) => v.advisoryId)).toContain('CVE-2024-0727');
    expect(kept.warnings.map((w) => w.code)).toContain('ignore-expired');
    const dropped = applyFilters(fixtureReport(), { ignore: parseTrivyIgnore('CVE-2024-0727 exp:2026-06-15'), now: NOW });
    expect(dropped.vulnerabilities.map((v) => v.advisoryId)).not.toContain('CVE-2024-0727');
  });
});

describe('portcullis-ignore.yaml', () => {
  it('scopes entries by kind, paths and purls, with justification', () => {
    const rules = parseIgnoreYaml(
      [
        'vulnerabilities:',
        '  - id: GHSA-35jh-r3h4-6jhm',
        '    purls: [pkg:npm/lodash@4.17.15]',
        '    justification: template only, never called',
        '  - id: CVE-2024-0727',
        '    paths: ["/usr/**"]',
        'secrets:',
        '  - id: npm-access-token',
        '    paths: ["/root/*"]',
        '    expires: 2027-01-01',
      ].join('\n'),
    );
    const r = applyFilters(fixtureReport(), { ignore: rules, now: NOW });
    expect(r.vulnerabilities.map((v) => v.advisoryId)).toEqual(['CVE-2024-0727', 'GHSA-aaaa-bbbb-cccc']);
    expect(r.secrets.map((s) => s.ruleId)).toEqual(['generic-password']);
    expect(r.suppressed.items.find((s) => s.kind === 'vulnerability')!.justification).toBe('template only, never called');
  });

  it('accepts a plain list (any kind) and rejects unknown fields with the field named', () => {
    expect(parseIgnoreYaml('- id: PCS-IMG-001\n  justification: distroless later\n').entries[0]).toMatchObject({ id: 'PCS-IMG-001', justification: 'distroless later' });
    expect(() => parseIgnoreYaml('- id: X\n  pahts: [a]\n')).toThrow(/pahts/);
    expect(() => parseIgnoreYaml('- id: X\n  expires: next week\n')).toThrow(/YYYY-MM-DD/);
  });

  it('globs: * stays in a segment, ** crosses, a plain path covers what is under it', () => {
    expect(globMatch('/root/*', '/root/.npmrc')).toBe(true);
    expect(globMatch('/root/*', '/root/a/b')).toBe(false);
    expect(globMatch('/usr/**', '/usr/lib/x/y')).toBe(true);
    expect(globMatch('/app', '/app/node_modules/x')).toBe(true);
    expect(globMatch('/app', '/application')).toBe(false);
  });
});

describe('OpenVEX', () => {
  const vex = (status: string, product = 'pkg:npm/lodash@4.17.15', vuln = 'CVE-2021-23337'): string =>
    JSON.stringify({
      '@context': 'https://openvex.dev/ns/v0.2.0',
      '@id': 'https://example.com/vex-1',
      author: 'sec team',
      timestamp: '2026-01-01T00:00:00Z',
      version: 1,
      statements: [{ vulnerability: { name: vuln }, products: [{ '@id': product }], status, justification: 'vulnerable_code_not_in_execute_path' }],
    });

  it.each([
    ['not_affected', false],
    ['fixed', false],
    ['affected', true],
    ['under_investigation', true],
  ])('status %s keeps the finding: %s', (status, kept) => {
    const r = applyFilters(fixtureReport(), { vex: parseVex(vex(status)) });
    expect(r.vulnerabilities.some((v) => v.advisoryId === 'GHSA-35jh-r3h4-6jhm')).toBe(kept);
    expect(r.suppressed.total).toBe(kept ? 0 : 1);
    if (!kept) expect(r.suppressed.items[0]).toMatchObject({ by: 'vex', justification: 'vulnerable_code_not_in_execute_path' });
  });

  it('only the named product: another package or version keeps its finding; qualifiers of the finding are ignored', () => {
    expect(applyFilters(fixtureReport(), { vex: parseVex(vex('not_affected', 'pkg:npm/lodash@4.17.21')) }).suppressed.total).toBe(0);
    const deb = applyFilters(fixtureReport(), { vex: parseVex(vex('not_affected', 'pkg:deb/debian/libssl3@3.0.11-1~deb12u1', 'CVE-2024-0727')) });
    expect(deb.vulnerabilities.map((v) => v.advisoryId)).not.toContain('CVE-2024-0727');
  });

  it('v0.0.x string products and subcomponents; malformed documents are errors', () => {
    const old = JSON.stringify({ '@context': 'https://openvex.dev/ns', statements: [{ vulnerability: 'GHSA-aaaa-bbbb-cccc', products: ['pkg:oci/demo'], subcomponents: ['pkg:npm/lodash@4.17.15'], status: 'not_affected' }] });
    expect(applyFilters(fixtureReport(), { vex: parseVex(old) }).vulnerabilities.map((v) => v.advisoryId)).not.toContain('GHSA-aaaa-bbbb-cccc');
    expect(() => parseVex('{')).toThrow(VexError);
    expect(() => parseVex(JSON.stringify({ '@context': 'https://openvex.dev/ns', statements: [{ vulnerability: 'X', status: 'maybe' }] }))).toThrow(/status/);
  });
});

describe('severity and fixability filters', () => {
  it('--severity keeps the named severities, --ignore-unfixed drops vulnerabilities without a fix', () => {
    const r = applyFilters(fixtureReport(), { severities: ['CRITICAL', 'HIGH'], ignoreUnfixed: true });
    expect(r.vulnerabilities.map((v) => v.advisoryId)).toEqual(['GHSA-35jh-r3h4-6jhm']);
    expect(r.secrets).toHaveLength(2);
    expect(r.misconfigurations.map((m) => m.id)).toEqual(['PCS-IMG-001']);
    expect(r.totals.all).toMatchObject({ CRITICAL: 1, HIGH: 3, MEDIUM: 0, LOW: 0 });
    expect(r.suppressed.total).toBe(0);
  });
});
