/** For tests: a small image inventory, its accepted report, and OSV advisories that affect it. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ImageInventory, Package } from '../analysis/types.js';
import { evaluate, inputFromReport, type Policy } from '../policy/index.js';
import { buildReport } from '../scan/report.js';
import type { StoredArtifact } from './types.js';

const pkg = (name: string, version: string): Package => ({
  type: 'npm',
  ecosystem: 'npm',
  name,
  version,
  purl: `pkg:npm/${name}@${version}`,
  path: `/app/node_modules/${name}/package.json`,
});

/** An accepted artifact of `repository` with lodash 4.17.20 and minimist 1.2.8, no findings yet. */
export function acceptedArtifact(repository: string, digest: string, policy: Policy, now = new Date('2026-01-01T00:00:00Z')): StoredArtifact {
  const inventory: ImageInventory = { digest, packages: [pkg('lodash', '4.17.20'), pkg('minimist', '1.2.8')], layers: [], warnings: [] };
  const report = buildReport({
    artifact: { type: 'container_image', name: `${repository}@${digest}`, digest, layers: [] },
    scanners: ['vuln', 'secret', 'misconfig'],
    packages: inventory.packages,
    vulnerabilities: [],
    secrets: [],
    misconfigurations: [],
    warnings: [],
    now,
  });
  const input = { ...inputFromReport(report), created: now.toISOString() };
  return { repository, digest, report, inventory, input, decision: evaluate(policy, 'push', input, now) };
}

/** Writes an OSV record for an npm package, fixed in `fixed`, rated by a CVSS 3.1 vector (7.5: HIGH by default). */
export function writeOsvAdvisory(dir: string, id: string, name: string, fixed: string, vector = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N'): string {
  const file = join(dir, `${id}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      id,
      modified: '2026-01-02T00:00:00Z',
      aliases: [`CVE-2026-${id.length}000`],
      summary: `${name} advisory ${id}`,
      severity: [{ type: 'CVSS_V3', score: vector }],
      affected: [{ package: { ecosystem: 'npm', name }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed }] }] }],
    }),
  );
  return file;
}
