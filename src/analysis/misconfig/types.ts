import type { OsInfo, Package } from '../types.js';
import type { ImageConfigLike, Severity } from '../secrets/types.js';

export type { ImageConfigLike, Severity };

/** A pointer into a benchmark or guide ("CIS Docker Benchmark" 4.1, "NIST SP 800-190" 4.1.2, Trivy AVD-DS-0002). */
export interface Reference {
  source: 'CIS Docker Benchmark' | 'NIST SP 800-190' | 'Trivy' | 'Hadolint' | 'Docker';
  id: string;
  url?: string;
}

export interface MisconfigLocation {
  kind: 'config' | 'file' | 'history' | 'dockerfile';
  /** Config field (`config.User`), file path, `history[N]`, or the Dockerfile's path. */
  path?: string;
  /** Dockerfile regions, 1-based lines and columns (SARIF regions). */
  startLine?: number;
  endLine?: number;
  startColumn?: number;
  endColumn?: number;
}

export interface MisconfigFinding {
  id: string;
  title: string;
  severity: Severity;
  message: string;
  remediation: string;
  references: Reference[];
  location?: MisconfigLocation;
  /** Itemised evidence (the setuid files, the exposed ports, ...). Never secret values. */
  details?: string[];
}

/** One entry of the assembled final filesystem (metadata only). */
export interface FinalFile {
  path: string;
  type: 'file' | 'dir' | 'symlink' | 'other';
  mode: number;
  uid: number;
  gid: number;
  linkTarget?: string;
}

export interface MisconfigInput {
  config: ImageConfigLike;
  files: readonly FinalFile[];
  os?: OsInfo;
  packages?: readonly Package[];
}

export interface MisconfigOptions {
  /** Clock for the age and end-of-life checks. */
  now?: Date;
  /** Images whose config.created is older than this many days are reported (default 365). */
  maxImageAgeDays?: number;
  /** Allowed base images (`docker.io/library/debian:*`); the check is off when unset. */
  allowedBaseImages?: readonly string[];
}

/** What a check reports; the engine adds id, title, severity, remediation and references. */
export interface CheckResult {
  message: string;
  location?: MisconfigLocation;
  details?: string[];
  severity?: Severity;
}

export interface MisconfigCheck {
  id: string;
  title: string;
  severity: Severity;
  remediation: string;
  references: Reference[];
  run(input: MisconfigContext): CheckResult[];
}

/** The input with lookups prepared once for all checks. */
export interface MisconfigContext extends MisconfigInput {
  options: Required<Pick<MisconfigOptions, 'now' | 'maxImageAgeDays'>> & Pick<MisconfigOptions, 'allowedBaseImages'>;
  byPath: ReadonlyMap<string, FinalFile>;
  /** Executable names found in the standard bin directories -> their paths. */
  executables: ReadonlyMap<string, string[]>;
  packageNames: ReadonlySet<string>;
}
