import { createHash } from 'node:crypto';
import type { MisconfigFinding } from '../../analysis/misconfig/index.js';
import type { SecretFinding } from '../../analysis/secrets/index.js';
import type { ScanReport } from '../../scan/types.js';
import type { Severity, VulnFinding } from '../../vulndb/types.js';
import { severityRank } from '../../scan/totals.js';
import { sarifLevel, securitySeverity } from '../severity.js';
import type { WriterOptions } from './types.js';

const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
const INFO_URI = 'https://github.com/portcullis/portcullis';

interface Rule {
  id: string;
  name: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  help: { text: string; markdown: string };
  helpUri?: string;
  defaultConfiguration: { level: string };
  properties: { tags: string[]; precision: string; 'security-severity': string };
}

interface Result {
  ruleId: string;
  ruleIndex: number;
  level: string;
  message: { text: string };
  locations: { physicalLocation: { artifactLocation: { uri: string }; region: Record<string, number> }; message?: { text: string } }[];
  partialFingerprints: Record<string, string>;
}

/** A SARIF uri for a virtual image path: relative (GitHub rejects absolute file URIs) and percent-encoded. */
function uri(path: string): string {
  const rel = path.replace(/^\/+/, '');
  return rel.split('/').map(encodeURIComponent).join('/') || '.';
}

function fingerprint(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex');
}

class RuleSet {
  readonly rules: Rule[] = [];
  private readonly index = new Map<string, number>();
  private readonly severities: Severity[] = [];
  private readonly cvssMax: string[] = [];

  add(rule: Omit<Rule, 'defaultConfiguration' | 'properties'> & { tags: string[] }, severity: Severity, securitySev: string): number {
    const known = this.index.get(rule.id);
    if (known !== undefined) {
      // The rule carries the highest severity any of its results has.
      if (severityRank(severity) < severityRank(this.severities[known]!)) this.severities[known] = severity;
      if (Number(securitySev) > Number(this.cvssMax[known])) this.cvssMax[known] = securitySev;
      return known;
    }
    const { tags, ...rest } = rule;
    const i = this.rules.length;
    this.rules.push({ ...rest, defaultConfiguration: { level: 'note' }, properties: { tags, precision: 'very-high', 'security-severity': securitySev } });
    this.index.set(rule.id, i);
    this.severities.push(severity);
    this.cvssMax.push(securitySev);
    return i;
  }

  finish(): Rule[] {
    return this.rules.map((r, i) => ({
      ...r,
      defaultConfiguration: { level: sarifLevel(this.severities[i]!) },
      properties: { ...r.properties, 'security-severity': this.cvssMax[i]! },
    }));
  }
}

function vulnResult(rules: RuleSet, v: VulnFinding): Result {
  const sev = securitySeverity(v.severity, v.cvss);
  const title = v.title ?? v.advisoryId;
  const fix = v.fixedVersion ? `Fixed in ${v.fixedVersion}.` : `No fixed version (${v.status.replace(/_/g, ' ')}).`;
  const refs = v.references.slice(0, 5);
  const ruleIndex = rules.add(
    {
      id: v.advisoryId,
      name: ['dpkg', 'apk', 'rpm'].includes(v.package.type) ? 'OsPackageVulnerability' : 'LanguageSpecificPackageVulnerability',
      shortDescription: { text: title },
      fullDescription: { text: title },
      help: {
        text: `Vulnerability ${v.advisoryId}${v.aliases.length ? ` (${v.aliases.join(', ')})` : ''}\nSeverity: ${v.severity}\n${refs.join('\n')}`,
        markdown: `**Vulnerability ${v.advisoryId}**${v.aliases.length ? ` (${v.aliases.join(', ')})` : ''}\n\n| Severity | Package | Fixed version |\n| --- | --- | --- |\n| ${v.severity} | ${v.package.name} | ${v.fixedVersion ?? '-'} |\n\n${refs.map((r) => `- ${r}`).join('\n')}`,
      },
      ...(refs[0] ? { helpUri: refs[0] } : {}),
      tags: ['vulnerability', 'security', v.severity],
    },
    v.severity,
    sev,
  );
  return {
    ruleId: v.advisoryId,
    ruleIndex,
    level: sarifLevel(v.severity),
    message: { text: `Package: ${v.package.name}\nInstalled version: ${v.package.version}\nVulnerability ${v.advisoryId}\nSeverity: ${v.severity}\n${fix}\nPath: ${v.package.path}` },
    locations: [{ physicalLocation: { artifactLocation: { uri: uri(v.package.path) }, region: { startLine: 1 } }, message: { text: `${v.package.name}@${v.package.version}` } }],
    partialFingerprints: { 'portcullis/v1': fingerprint('vuln', v.advisoryId, v.package.purl, v.package.path) },
  };
}

function secretUri(s: SecretFinding): string {
  const l = s.location;
  if (l.kind === 'layer-file') return uri(l.path ?? '');
  if (l.kind === 'config-env') return `image-config/Env/${encodeURIComponent(l.path ?? '')}`;
  if (l.kind === 'config-label') return `image-config/Labels/${encodeURIComponent(l.path ?? '')}`;
  return `image-config/${encodeURIComponent(l.path ?? 'history')}`;
}

function secretResult(rules: RuleSet, s: SecretFinding): Result {
  const ruleIndex = rules.add(
    {
      id: s.ruleId,
      name: s.category.replace(/[^A-Za-z0-9]+/g, '') || 'Secret',
      shortDescription: { text: s.title },
      fullDescription: { text: `${s.title} (secret rule ${s.ruleId})` },
      help: { text: `Secret ${s.ruleId}: ${s.title}\nRemove the secret from the image and rotate it.`, markdown: `**Secret ${s.ruleId}**: ${s.title}\n\nRemove the secret from the image (every layer) and rotate it.` },
      tags: ['secret', 'security', s.severity],
    },
    s.severity,
    securitySeverity(s.severity),
  );
  const where = s.location.layerIndex !== undefined ? ` in layer ${s.location.layerIndex}` : '';
  return {
    ruleId: s.ruleId,
    ruleIndex,
    level: sarifLevel(s.severity),
    message: { text: `${s.title}${where}: ${s.match}${s.note ? ` (${s.note})` : ''}` },
    locations: [{ physicalLocation: { artifactLocation: { uri: secretUri(s) }, region: { startLine: s.location.line ?? 1 } } }],
    partialFingerprints: { 'portcullis/v1': fingerprint('secret', s.ruleId, s.location.kind, s.location.path ?? '', s.location.layerDigest ?? '', String(s.location.line ?? 0)) },
  };
}

function misconfigResult(rules: RuleSet, m: MisconfigFinding): Result {
  const refs = m.references.map((r) => `${r.source} ${r.id}${r.url ? ` ${r.url}` : ''}`);
  const url = m.references.find((r) => r.url)?.url;
  const ruleIndex = rules.add(
    {
      id: m.id,
      name: m.title.replace(/[^A-Za-z0-9]+/g, ' ').trim().split(' ').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('') || 'Misconfiguration',
      shortDescription: { text: m.title },
      fullDescription: { text: m.title },
      help: { text: `${m.title}\nRemediation: ${m.remediation}\n${refs.join('\n')}`, markdown: `**${m.title}**\n\nRemediation: ${m.remediation}\n\n${refs.map((r) => `- ${r}`).join('\n')}` },
      ...(url ? { helpUri: url } : {}),
      tags: ['misconfiguration', 'security', m.severity],
    },
    m.severity,
    securitySeverity(m.severity),
  );
  const l = m.location;
  const region: Record<string, number> = { startLine: l?.startLine ?? 1 };
  if (l?.endLine !== undefined) region.endLine = l.endLine;
  if (l?.startColumn !== undefined) region.startColumn = l.startColumn;
  if (l?.endColumn !== undefined) region.endColumn = l.endColumn;
  const path = l?.kind === 'file' || l?.kind === 'dockerfile' ? uri(l.path ?? '') : `image-config/${encodeURIComponent(l?.path ?? 'config')}`;
  return {
    ruleId: m.id,
    ruleIndex,
    level: sarifLevel(m.severity),
    message: { text: `${m.message}\nRemediation: ${m.remediation}` },
    locations: [{ physicalLocation: { artifactLocation: { uri: path }, region } }],
    partialFingerprints: { 'portcullis/v1': fingerprint('misconfig', m.id, l?.kind ?? '', l?.path ?? '', String(l?.startLine ?? 0), m.message) },
  };
}

/** SARIF 2.1.0 (one run) as GitHub code scanning accepts it: rules with security-severity, relative locations, fingerprints. */
export function sarifReport(report: ScanReport, _opts: WriterOptions = {}): string {
  const rules = new RuleSet();
  const results: Result[] = [
    ...report.vulnerabilities.map((v) => vulnResult(rules, v)),
    ...report.secrets.map((s) => secretResult(rules, s)),
    ...report.misconfigurations.map((m) => misconfigResult(rules, m)),
  ];
  const artifact = report.artifact;
  const log = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'Portcullis', fullName: 'Portcullis container security scanner', informationUri: INFO_URI, version: report.tool.version, rules: rules.finish() } },
        results,
        columnKind: 'utf16CodeUnits',
        properties: {
          artifactName: artifact.name,
          artifactType: artifact.type,
          ...(artifact.digest ? { digest: artifact.digest } : {}),
          schemaVersion: report.schemaVersion,
        },
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
