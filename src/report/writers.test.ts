import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { applyFilters } from '../scan/filters.js';
import { parseTrivyIgnore } from '../scan/ignore.js';
import { scanReportValidator } from '../scan/testing.js';
import { REPORT_FORMATS, REPORT_WRITERS, type ReportFormat } from './index.js';
import { fixtureReport } from './testdata/fixture.js';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const loadJson = (p: string): Record<string, unknown> => JSON.parse(readFileSync(p, 'utf8')) as Record<string, unknown>;
const SERIAL = 'urn:uuid:00000000-0000-4000-8000-000000000001';

const GOLDEN: Record<ReportFormat, string> = { table: 'report.table.txt', json: 'report.json', sarif: 'report.sarif', cyclonedx: 'report.cdx.json' };

function golden(name: string, actual: string): void {
  const file = join(here, 'testdata/golden', name);
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, actual);
  }
  expect(actual).toBe(readFileSync(file, 'utf8'));
}

function sarifValidator(): (doc: unknown) => string[] {
  const schema = loadJson(join(here, 'testdata/sarif-2.1.0-rtm.5.json'));
  // draft-04 spells the schema id `id`; nothing else in this schema is draft-04 specific.
  const { id, $schema: _draft, ...rest } = schema;
  // The schema's `language` pattern ("...{2}]?$") is only valid without the regex `u` flag.
  const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
  addFormats.default(ajv);
  const validate = ajv.compile({ ...rest, $id: String(id) });
  return (doc) => (validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`));
}

function cdxValidator(): (doc: unknown) => string[] {
  const dir = join(dirname(require.resolve('@cyclonedx/cyclonedx-library/package.json')), 'res/schema');
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addFormat('iri-reference', true);
  for (const name of ['spdx.SNAPSHOT.schema.json', 'jsf-0.82.SNAPSHOT.schema.json']) ajv.addSchema({ ...loadJson(join(dir, name)), $id: `http://cyclonedx.org/schema/${name}` });
  const validate = ajv.compile(loadJson(join(dir, 'bom-1.6.SNAPSHOT.schema.json')));
  return (doc) => (validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`));
}

const write = (f: ReportFormat, color = false): string => REPORT_WRITERS[f](fixtureReport(), { color, serialNumber: SERIAL });

describe('report writers', () => {
  it.each(REPORT_FORMATS)('%s output matches its golden file', (format) => {
    golden(GOLDEN[format], write(format));
  });

  it('json output is valid against the ScanReport schema, and a broken report is not', () => {
    const validate = scanReportValidator();
    expect(validate(JSON.parse(write('json')))).toEqual([]);
    const broken = JSON.parse(write('json')) as Record<string, unknown>;
    broken.schemaVersion = 2;
    delete broken.totals;
    expect(validate(broken).length).toBeGreaterThan(0);
  });

  it('SARIF is valid SARIF 2.1.0 with rules, security-severity, locations and fingerprints', () => {
    const doc = JSON.parse(write('sarif')) as {
      version: string;
      runs: { tool: { driver: { rules: { id: string; properties: Record<string, string> }[] } }; results: { ruleId: string; ruleIndex: number; level: string; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[]; partialFingerprints: Record<string, string> }[] }[];
    };
    expect(sarifValidator()(doc)).toEqual([]);
    expect(doc.runs).toHaveLength(1);
    const run = doc.runs[0]!;
    expect(run.tool.driver.rules.map((r) => r.id)).toEqual(['CVE-2024-0727', 'GHSA-35jh-r3h4-6jhm', 'GHSA-aaaa-bbbb-cccc', 'generic-password', 'npm-access-token', 'PCS-IMG-001', 'PCS-DF-004']);
    const rule = (id: string) => run.tool.driver.rules.find((r) => r.id === id)!;
    expect(rule('CVE-2024-0727').properties['security-severity']).toBe('7.5');
    expect(rule('GHSA-35jh-r3h4-6jhm').properties['security-severity']).toBe('8.0');
    for (const r of run.results) {
      expect(run.tool.driver.rules[r.ruleIndex]!.id).toBe(r.ruleId);
      expect(r.partialFingerprints['portcullis/v1']).toMatch(/^[0-9a-f]{64}$/);
      expect(r.locations[0]!.physicalLocation.artifactLocation.uri).not.toMatch(/^\//);
    }
    const df = run.results.find((r) => r.ruleId === 'PCS-DF-004')!;
    expect(df.locations[0]!.physicalLocation).toEqual({ artifactLocation: { uri: 'Dockerfile' }, region: { startLine: 3, endLine: 3 } });
    expect(run.results.find((r) => r.ruleId === 'GHSA-35jh-r3h4-6jhm')!.locations[0]!.physicalLocation.artifactLocation.uri).toBe('app/node_modules/lodash/package.json');
    // the schema check can fail
    expect(sarifValidator()({ version: '2.1.0', runs: [{ results: [] }] }).length).toBeGreaterThan(0);
  });

  it('CycloneDX is valid 1.6 with vulnerabilities that affect component bom-refs', () => {
    const doc = JSON.parse(write('cyclonedx')) as {
      specVersion: string;
      components: { 'bom-ref': string }[];
      vulnerabilities: { id: string; ratings: { severity: string; score?: number; method?: string }[]; affects: { ref: string }[] }[];
    };
    expect(cdxValidator()(doc)).toEqual([]);
    expect(doc.specVersion).toBe('1.6');
    const refs = new Set(doc.components.map((c) => c['bom-ref']));
    expect(doc.vulnerabilities.map((v) => v.id).sort()).toEqual(['CVE-2024-0727', 'GHSA-35jh-r3h4-6jhm', 'GHSA-aaaa-bbbb-cccc']);
    for (const v of doc.vulnerabilities) for (const a of v.affects) expect(refs).toContain(a.ref);
    const cve = doc.vulnerabilities.find((v) => v.id === 'CVE-2024-0727')!;
    expect(cve.ratings).toEqual([expect.objectContaining({ score: 7.5, method: 'CVSSv31', severity: 'medium' })]);
    expect(cdxValidator()({ ...doc, specVersion: 1.6 }).length).toBeGreaterThan(0);
  });

  it('table colours severities only when asked (TTY) and never prints unmasked secrets', () => {
    expect(write('table')).not.toContain('\x1b[');
    expect(write('table', true)).toContain('\x1b[31mHIGH');
    expect(write('table')).toContain('Total: 7 (CRITICAL: 1, HIGH: 3, MEDIUM: 1, LOW: 2, NEGLIGIBLE: 0, UNKNOWN: 0)');
    expect(write('table')).toContain('Remediation: Add a USER instruction');
  });

  it('table shows the suppressed count after filters', () => {
    const r = applyFilters(fixtureReport(), { ignore: parseTrivyIgnore('CVE-2021-23337\n') });
    expect(REPORT_WRITERS.table(r)).toContain('Suppressed: 1');
  });
});

describe('Dockerfile lint through the writers', () => {
  it('lintDockerfile findings become SARIF results with line regions', async () => {
    const { lintDockerfile } = await import('../analysis/dockerfile/index.js');
    const { dockerfileReport } = await import('../scan/report.js');
    const findings = lintDockerfile('FROM debian:latest\nRUN apt-get install curl\nEXPOSE 22\n', { path: 'Dockerfile' });
    expect(findings.length).toBeGreaterThan(0);
    const doc = JSON.parse(REPORT_WRITERS.sarif(dockerfileReport('Dockerfile', findings, new Date(0)))) as {
      runs: { results: { locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[] }[] }[];
    };
    expect(sarifValidator()(doc)).toEqual([]);
    const lines = doc.runs[0]!.results.map((r) => r.locations[0]!.physicalLocation.region.startLine);
    expect(lines).toContain(3);
    expect(doc.runs[0]!.results.every((r) => r.locations[0]!.physicalLocation.artifactLocation.uri === 'Dockerfile')).toBe(true);
  });
});
