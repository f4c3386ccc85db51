import type { ImageConfigLike, MisconfigFinding } from '../analysis/misconfig/index.js';
import type { SecretFinding } from '../analysis/secrets/index.js';
import type { OsInfo, Package, Warning } from '../analysis/types.js';
import type { Severity, VulnFinding } from '../vulndb/types.js';
import type { IgnoreRules } from './ignore.js';
import type { VexStatements } from './vex.js';

export type { Severity };

/** The kinds of problem a scan looks for (`--scanners vuln,secret,misconfig`). */
export const SCANNERS = ['vuln', 'secret', 'misconfig'] as const;
export type ScannerName = (typeof SCANNERS)[number];

export type ArtifactType = 'container_image' | 'rootfs' | 'filesystem' | 'sbom' | 'dockerfile';

export interface ReportArtifact {
  type: ArtifactType;
  /** What the user named (`oci:dir:tag`, a directory, an SBOM file). */
  name: string;
  /** Manifest digest of an image (absent for directories and SBOMs). */
  digest?: string;
  configDigest?: string;
  os?: OsInfo;
  layers: { digest: string; mediaType: string; size: number }[];
}

export interface PackageSummary {
  total: number;
  /** Package count per package type (dpkg, npm, ...). */
  byType: Record<string, number>;
  /** Every package of the inventory (the CycloneDX writer lists them as components). */
  items: Package[];
}

export type FindingKind = 'vulnerability' | 'secret' | 'misconfiguration';

/** A finding that an ignore file or a VEX statement removed. */
export interface SuppressedFinding {
  kind: FindingKind;
  /** Advisory id, secret rule id or check id. */
  id: string;
  /** Package purl, file path or config field the finding was about. */
  target?: string;
  /** `ignorefile` or `vex`, with the file and its justification when given. */
  by: 'ignorefile' | 'vex';
  source: string;
  justification?: string;
}

export interface SuppressionSummary {
  total: number;
  vulnerabilities: number;
  secrets: number;
  misconfigurations: number;
  items: SuppressedFinding[];
}

export type SeverityCounts = Record<Severity, number>;

export interface ReportTotals {
  vulnerabilities: SeverityCounts;
  secrets: SeverityCounts;
  misconfigurations: SeverityCounts;
  all: SeverityCounts;
  /** Findings in the report (after filters). */
  findings: number;
}

/**
 * The result of one scan: a versioned JSON document (schema in src/report/schema/scan-report.schema.json).
 * Bump `schemaVersion` on any incompatible change.
 */
export interface ScanReport {
  schemaVersion: 1;
  createdAt: string;
  tool: { name: 'portcullis'; version: string };
  artifact: ReportArtifact;
  scanners: ScannerName[];
  packages: PackageSummary;
  vulnerabilities: VulnFinding[];
  secrets: SecretFinding[];
  misconfigurations: MisconfigFinding[];
  warnings: Warning[];
  suppressed: SuppressionSummary;
  totals: ReportTotals;
}

export type ScanPhase = 'open' | 'layers' | 'secrets' | 'misconfig' | 'match' | 'done';

export interface ScanProgress {
  phase: ScanPhase;
  message?: string;
  layerIndex?: number;
  layerCount?: number;
  /** Compressed bytes of the current layer read so far, and its size. */
  bytes?: number;
  size?: number;
  cached?: boolean;
}

/** Which findings the report keeps (the pipeline applies them last; `applyFilters` is pure). */
export interface ScanFilters {
  severities?: readonly Severity[];
  ignoreUnfixed?: boolean;
  /** Parsed ignore rules (see loadIgnoreFile). */
  ignore?: IgnoreRules;
  /** Parsed OpenVEX documents (see loadVex). */
  vex?: VexStatements;
  /** Clock for expiry dates of ignore entries. */
  now?: Date;
}

export type { ImageConfigLike };
