import * as CDX from '@cyclonedx/cyclonedx-library';
import type { ImageInventory } from '../../analysis/types.js';
import type { ScanReport } from '../../scan/types.js';
import type { CvssScore, Severity, VulnFinding } from '../../vulndb/types.js';
import { buildCycloneDx } from '../sbom/cyclonedx.js';
import type { WriterOptions } from './types.js';

const { Models, Enums } = CDX;

const SEVERITY: Record<Severity, CDX.Enums.Vulnerability.Severity> = {
  CRITICAL: Enums.Vulnerability.Severity.Critical,
  HIGH: Enums.Vulnerability.Severity.High,
  MEDIUM: Enums.Vulnerability.Severity.Medium,
  LOW: Enums.Vulnerability.Severity.Low,
  NEGLIGIBLE: Enums.Vulnerability.Severity.Info,
  UNKNOWN: Enums.Vulnerability.Severity.Unknown,
};

function method(c: CvssScore): CDX.Enums.Vulnerability.RatingMethod {
  if (c.version.startsWith('4')) return Enums.Vulnerability.RatingMethod.CVSSv4;
  if (c.version === '3.1') return Enums.Vulnerability.RatingMethod.CVSSv31;
  if (c.version.startsWith('3')) return Enums.Vulnerability.RatingMethod.CVSSv3;
  if (c.version.startsWith('2')) return Enums.Vulnerability.RatingMethod.CVSSv2;
  return Enums.Vulnerability.RatingMethod.Other;
}

function inventoryOf(report: ScanReport): ImageInventory {
  const a = report.artifact;
  return {
    ...(a.digest ? { digest: a.digest } : {}),
    ...(a.os ? { os: a.os } : {}),
    packages: report.packages.items,
    layers: a.layers,
    warnings: [],
  };
}

/** Builds the CycloneDX model: the SBOM of src/report/sbom plus one vulnerability per advisory affecting its components. */
export function buildCycloneDxWithVulns(report: ScanReport, opts: WriterOptions = {}): CDX.Models.Bom {
  const bom = buildCycloneDx(
    { name: report.artifact.name, inventory: inventoryOf(report) },
    { timestamp: opts.timestamp ?? new Date(report.createdAt), ...(opts.serialNumber ? { serialNumber: opts.serialNumber } : {}), toolVersion: report.tool.version },
  );
  const refs = new Map<string, CDX.Models.BomRef>();
  for (const c of bom.components) if (c.bomRef.value) refs.set(c.bomRef.value, c.bomRef);

  const byAdvisory = new Map<string, VulnFinding[]>();
  for (const v of report.vulnerabilities) byAdvisory.set(v.advisoryId, [...(byAdvisory.get(v.advisoryId) ?? []), v]);
  for (const [id, findings] of byAdvisory) {
    const first = findings[0]!;
    const vuln = new Models.Vulnerability.Vulnerability({
      bomRef: `vuln:${id}`,
      id,
      source: new Models.Vulnerability.Source({ name: first.dataSource.id }),
      ...(first.title ? { description: first.title } : {}),
    });
    const seen = new Set<string>();
    for (const c of first.cvss) {
      const key = `${c.source}|${c.vector}`;
      if (seen.has(key)) continue;
      seen.add(key);
      vuln.ratings.add(
        new Models.Vulnerability.Rating({
          source: new Models.Vulnerability.Source({ name: c.source }),
          ...(c.score !== undefined ? { score: c.score } : {}),
          method: method(c),
          vector: c.vector,
          severity: SEVERITY[first.severity],
        }),
      );
    }
    if (vuln.ratings.size === 0) vuln.ratings.add(new Models.Vulnerability.Rating({ source: new Models.Vulnerability.Source({ name: first.dataSource.id }), severity: SEVERITY[first.severity] }));
    for (const alias of first.aliases) vuln.references.add(new Models.Vulnerability.Reference(alias, new Models.Vulnerability.Source({ name: first.dataSource.id })));
    const fixes = [...new Set(findings.map((f) => f.fixedVersion).filter((x): x is string => !!x))];
    if (fixes.length > 0) vuln.recommendation = `Upgrade to ${fixes.join(' / ')} or later.`;
    for (const f of findings) {
      const ref = refs.get(`${f.package.purl}|${f.package.path}`);
      if (!ref) continue;
      vuln.affects.add(
        new Models.Vulnerability.Affect(ref, {
          versions: new Models.Vulnerability.AffectedVersionRepository([
            new Models.Vulnerability.AffectedSingleVersion(f.package.version, { status: Enums.Vulnerability.AffectStatus.Affected }),
          ]),
        }),
      );
    }
    bom.vulnerabilities.add(vuln);
  }
  return bom;
}

/** CycloneDX 1.6 JSON with `vulnerabilities` (ratings, affects → bom-ref of the component). */
export function cycloneDxReport(report: ScanReport, opts: WriterOptions = {}): string {
  const serializer = new CDX.Serialize.JsonSerializer(new CDX.Serialize.JSON.Normalize.Factory(CDX.Spec.Spec1dot6));
  return `${serializer.serialize(buildCycloneDxWithVulns(report, opts), { sortLists: true, space: 2 })}\n`;
}
