import type { PackageType } from '../analysis/types.js';

/** Severity ratings, highest first. */
export const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'NEGLIGIBLE', 'UNKNOWN'] as const;
export type Severity = (typeof SEVERITIES)[number];

export type FixStatus = 'fixed' | 'affected' | 'will_not_fix' | 'end_of_life';

export interface CvssScore {
  /** "2.0", "3.0", "3.1", "4.0" */
  version: string;
  vector: string;
  /** Base score when the vector could be scored. */
  score?: number;
  /** Who published the vector (feed name or NVD). */
  source: string;
}

/** OSV range event: exactly one key is set. */
export interface RangeEvent {
  introduced?: string;
  fixed?: string;
  last_affected?: string;
  limit?: string;
}

export interface AffectedRange {
  /** OSV range type: ECOSYSTEM, SEMVER or GIT (GIT ranges are kept but cannot match a package version). */
  type: string;
  events: RangeEvent[];
}

/** One package that an advisory names, in one ecosystem (and for distributions, one release). */
export interface AffectedPackage {
  /** OSV ecosystem: "npm", "PyPI", "Go", "Debian:12", "Alpine:v3.19", ... */
  ecosystem: string;
  /** Package name as the feed spells it (distributions: the source package). */
  name: string;
  ranges: AffectedRange[];
  /** Explicitly listed affected versions. */
  versions: string[];
  /** Distribution feeds: the release ("12", "v3.19") and the distribution's verdict. */
  release?: string;
  status?: FixStatus;
  fixedVersion?: string;
  /** Distribution's own rating for this package (Debian urgency, ...). */
  severity?: Severity;
}

/** An advisory as stored in the local DB, whatever feed it came from. */
export interface AdvisoryRecord {
  /** Namespace that makes ids unique across feeds ("osv", "debian", "alpine:v3.19"). */
  namespace: string;
  id: string;
  aliases: string[];
  summary?: string;
  details?: string;
  /** Feed's own overall rating when it has one (GHSA database_specific.severity, ...). */
  severity?: Severity;
  cvss: CvssScore[];
  published?: string;
  modified?: string;
  withdrawn?: string;
  references: string[];
  affected: AffectedPackage[];
}

/** A CVSS enrichment record (NVD): scores for an id, without package data. */
export interface CvssRecord {
  id: string;
  modified?: string;
  cvss: CvssScore[];
}

export interface VulnFindingPackage {
  name: string;
  version: string;
  type: PackageType;
  path: string;
  purl: string;
  layerDigest?: string;
  sourceName?: string;
  sourceVersion?: string;
}

export interface DataSourceRef {
  /** Source name in the DB ("debian-tracker", "osv", "alpine-secdb", ...). */
  id: string;
  origin?: string;
}

/** One vulnerability of one package instance (name@version at one path) in an image. */
export interface VulnFinding {
  package: VulnFindingPackage;
  advisoryId: string;
  /** Every other id of the same vulnerability (CVE, GHSA, ...), sorted, without advisoryId. */
  aliases: string[];
  /** Distribution rating when present, else from CVSS, else the feed's rating, else UNKNOWN. */
  severity: Severity;
  cvss: CvssScore[];
  status: FixStatus;
  fixedVersion?: string;
  title?: string;
  references: string[];
  dataSource: DataSourceRef;
}
