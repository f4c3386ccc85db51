import { describe, expect, it } from 'vitest';
import type { MisconfigFinding } from '../analysis/misconfig/types.js';
import type { SecretFinding } from '../analysis/secrets/types.js';
import { buildReport } from '../scan/report.js';
import type { VulnFinding } from '../vulndb/types.js';
import { evaluate } from './evaluate.js';
import { declaredBaseImages, inputFromReport, normaliseReference } from './from-report.js';
import { validatePolicy } from './parse.js';

const vuln: VulnFinding = {
  package: { name: 'lodash', version: '4.17.15', type: 'npm', path: '/app/node_modules/lodash/package.json', purl: 'pkg:npm/lodash@4.17.15' },
  advisoryId: 'GHSA-p6mc-m468-83gw',
  aliases: ['CVE-2020-8203'],
  severity: 'HIGH',
  cvss: [],
  status: 'fixed',
  fixedVersion: '4.17.19',
  references: [],
  dataSource: { id: 'osv' },
};
const secrets: SecretFinding[] = [
  { ruleId: 'aws-access-key-id', category: 'AWS', title: 'AWS Access Key ID', severity: 'CRITICAL', location: { kind: 'config-env', path: 'AWS_ACCESS_KEY_ID' }, match: 'AKIA****' },
  { ruleId: 'npm-token', category: 'npm', title: 'npm token', severity: 'HIGH', location: { kind: 'layer-file', path: '/root/.npmrc', layerIndex: 1, removedInLayer: 2 }, match: '****' },
];
const misconfig: MisconfigFinding = { id: 'PCS-IMG-001', title: 'image runs as root', severity: 'HIGH', message: 'no USER', remediation: 'add USER', references: [] };

function report() {
  return buildReport({
    artifact: { type: 'container_image', name: 'oci:x:y', os: { family: 'debian', name: 'debian', release: '10', eol: '2024-06-30' }, layers: [] },
    scanners: ['vuln', 'secret', 'misconfig'],
    packages: [],
    vulnerabilities: [vuln],
    secrets,
    misconfigurations: [misconfig],
    warnings: [],
    now: new Date('2026-11-22T00:00:00Z'),
  });
}

describe('scan report → evaluation input', () => {
  it('carries every finding, the OS and the config facts', () => {
    const config = { created: '2026-01-02T03:04:05Z', config: { Labels: { 'org.opencontainers.image.base.name': 'debian:12-slim' } } };
    const input = inputFromReport(report(), config);
    expect(input).toEqual({
      scanned: true,
      vulnerabilities: [{ id: 'GHSA-p6mc-m468-83gw', aliases: ['CVE-2020-8203'], severity: 'HIGH', status: 'fixed', fixedVersion: '4.17.19', packageName: 'lodash', packageVersion: '4.17.15' }],
      secrets: [
        { ruleId: 'aws-access-key-id', severity: 'CRITICAL', title: 'AWS Access Key ID', where: 'Env AWS_ACCESS_KEY_ID' },
        { ruleId: 'npm-token', severity: 'HIGH', title: 'npm token', where: '/root/.npmrc (layer 1, removed in layer 2)' },
      ],
      misconfigurations: [{ id: 'PCS-IMG-001', severity: 'HIGH', title: 'image runs as root' }],
      os: { name: 'debian', release: '10', eol: '2024-06-30' },
      created: '2026-01-02T03:04:05Z',
      baseImages: ['docker.io/library/debian:12-slim'],
    });
  });

  it('feeds a decision that names the findings', () => {
    const policy = validatePolicy({
      version: 1,
      push: { vulnerabilities: { severity: 'HIGH' }, secrets: {}, misconfigurations: { deny: ['PCS-IMG-001'] }, baseImages: { allow: ['docker.io/library/alpine:*'] } },
      pull: { endOfLife: 'deny', maxAgeDays: 30 },
    });
    const input = inputFromReport(report(), { created: '2026-01-01T00:00:00Z' });
    const push = evaluate(policy, 'push', input, new Date('2026-11-22T00:00:00Z'));
    expect(push.allowed).toBe(false);
    expect(push.violations.map((v) => v.rule)).toEqual(['secret', 'vulnerability', 'misconfiguration', 'base-image']);
    expect(push.violations.find((v) => v.rule === 'base-image')?.summary).toBe('the image does not declare its base image');
    const pull = evaluate(policy, 'pull', input, new Date('2026-11-22T00:00:00Z'));
    expect(pull.violations.map((v) => v.rule).sort()).toEqual(['end-of-life', 'max-age']);
  });

  it('normalises Docker Hub short names and leaves registry hosts alone', () => {
    expect(normaliseReference('debian:12')).toBe('docker.io/library/debian:12');
    expect(normaliseReference('me/app:1')).toBe('docker.io/me/app:1');
    expect(normaliseReference('ghcr.io/me/app:1')).toBe('ghcr.io/me/app:1');
    expect(normaliseReference('localhost/app')).toBe('localhost/app');
    expect(normaliseReference('127.0.0.1:5000/app')).toBe('127.0.0.1:5000/app');
    expect(declaredBaseImages(undefined)).toEqual([]);
    expect(declaredBaseImages({ config: { Labels: null } })).toEqual([]);
  });
});
