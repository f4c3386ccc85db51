import type { MisconfigFinding } from '../../analysis/misconfig/index.js';
import type { SecretFinding } from '../../analysis/secrets/index.js';
import type { Package } from '../../analysis/types.js';
import { buildReport } from '../../scan/report.js';
import type { ScanReport } from '../../scan/types.js';
import type { VulnFinding } from '../../vulndb/types.js';

const L0 = 'sha256:1111111111111111111111111111111111111111111111111111111111111111';
const L1 = 'sha256:2222222222222222222222222222222222222222222222222222222222222222';

export const FIXTURE_PACKAGES: Package[] = [
  {
    type: 'dpkg',
    ecosystem: 'Debian:12',
    name: 'libssl3',
    version: '3.0.11-1~deb12u1',
    purl: 'pkg:deb/debian/libssl3@3.0.11-1~deb12u1?arch=amd64&distro=debian-12',
    sourceName: 'openssl',
    sourceVersion: '3.0.11-1~deb12u1',
    arch: 'amd64',
    path: '/var/lib/dpkg/status',
    layerDigest: L0,
    licenses: ['Apache-2.0'],
  },
  {
    type: 'npm',
    ecosystem: 'npm',
    name: 'lodash',
    version: '4.17.15',
    purl: 'pkg:npm/lodash@4.17.15',
    path: '/app/node_modules/lodash/package.json',
    layerDigest: L1,
    licenses: ['MIT'],
  },
];

const vuln = (pkg: Package, v: Omit<VulnFinding, 'package'>): VulnFinding => ({
  package: { name: pkg.name, version: pkg.version, type: pkg.type, path: pkg.path, purl: pkg.purl, ...(pkg.layerDigest ? { layerDigest: pkg.layerDigest } : {}) },
  ...v,
});

export const FIXTURE_VULNS: VulnFinding[] = [
  vuln(FIXTURE_PACKAGES[0]!, {
    advisoryId: 'CVE-2024-0727',
    aliases: [],
    severity: 'MEDIUM',
    cvss: [{ version: '3.1', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H', score: 7.5, source: 'nvd' }],
    status: 'fixed',
    fixedVersion: '3.0.13-1~deb12u1',
    title: 'PKCS12 NULL dereference',
    references: ['https://security-tracker.debian.org/tracker/CVE-2024-0727'],
    dataSource: { id: 'debian-tracker', origin: 'debian' },
  }),
  vuln(FIXTURE_PACKAGES[1]!, {
    advisoryId: 'GHSA-35jh-r3h4-6jhm',
    aliases: ['CVE-2021-23337'],
    severity: 'HIGH',
    cvss: [],
    status: 'fixed',
    fixedVersion: '4.17.21',
    title: 'Command Injection in lodash',
    references: ['https://github.com/advisories/GHSA-35jh-r3h4-6jhm'],
    dataSource: { id: 'osv:npm', origin: 'osv' },
  }),
  vuln(FIXTURE_PACKAGES[1]!, {
    advisoryId: 'GHSA-aaaa-bbbb-cccc',
    aliases: [],
    severity: 'LOW',
    cvss: [],
    status: 'affected',
    references: [],
    dataSource: { id: 'osv:npm', origin: 'osv' },
  }),
];

export const FIXTURE_SECRETS: SecretFinding[] = [
  {
    ruleId: 'npm-access-token',
    category: 'npm',
    title: 'npm access token',
    severity: 'CRITICAL',
    location: { kind: 'layer-file', path: '/root/.npmrc', layerIndex: 1, layerDigest: L1, inFinalFs: false, removedInLayer: 2, line: 1 },
    match: '//registry.npmjs.org/:_authToken=npm_****',
    note: 'removed in layer 2, still in the image (layer 1)',
  },
  { ruleId: 'generic-password', category: 'General', title: 'Password (by variable name)', severity: 'HIGH', location: { kind: 'config-env', path: 'DB_PASSWORD' }, match: 'DB_PASSWORD=*******' },
];

export const FIXTURE_MISCONFIG: MisconfigFinding[] = [
  {
    id: 'PCS-IMG-001',
    title: 'Image runs as root',
    severity: 'HIGH',
    message: 'The image has no USER; containers run as root.',
    remediation: 'Add a USER instruction with a non-root user.',
    references: [{ source: 'CIS Docker Benchmark', id: '4.1' }],
    location: { kind: 'config', path: 'config.User' },
  },
  {
    id: 'PCS-DF-004',
    title: 'ADD used instead of COPY',
    severity: 'LOW',
    message: 'ADD copies local files; COPY is more explicit.',
    remediation: 'Use COPY.',
    references: [{ source: 'Hadolint', id: 'DL3020', url: 'https://github.com/hadolint/hadolint/wiki/DL3020' }],
    location: { kind: 'dockerfile', path: 'Dockerfile', startLine: 3, endLine: 3 },
  },
];

/** A small report covering every finding kind, with a fixed clock. */
export function fixtureReport(): ScanReport {
  return buildReport({
    artifact: {
      type: 'container_image',
      name: 'oci:/images:demo',
      digest: 'sha256:3333333333333333333333333333333333333333333333333333333333333333',
      configDigest: 'sha256:4444444444444444444444444444444444444444444444444444444444444444',
      os: { family: 'debian', name: 'Debian GNU/Linux', release: '12', codename: 'bookworm', prettyName: 'Debian GNU/Linux 12 (bookworm)' },
      layers: [
        { digest: L0, mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', size: 1000 },
        { digest: L1, mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', size: 200 },
      ],
    },
    scanners: ['vuln', 'secret', 'misconfig'],
    packages: FIXTURE_PACKAGES,
    vulnerabilities: FIXTURE_VULNS,
    secrets: FIXTURE_SECRETS,
    misconfigurations: FIXTURE_MISCONFIG,
    warnings: [{ code: 'corrupt-db', message: 'example warning' }],
    now: new Date('2026-01-02T03:04:05Z'),
  });
}
