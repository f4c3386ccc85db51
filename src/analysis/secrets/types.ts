/** Severity strings as Trivy prints them, shared by secret, misconfiguration and Dockerfile findings. */
export type Severity = 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW' | 'UNKNOWN';

export const SEVERITIES: readonly Severity[] = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN'];

/**
 * One secret rule, as data. `regex` is a JavaScript regular expression source (no inline flags;
 * use `flags`), compiled by the scanner. The secret is the named group `secret` when present,
 * else group `secretGroup`, else the whole match.
 */
export interface SecretRule {
  id: string;
  category: string;
  title: string;
  severity: Severity;
  /** Lower-case literals; the regex only runs on content that contains one of them (any case). */
  keywords: string[];
  regex: string;
  /** Regex flags besides the `g` the scanner adds ("i", "m", "s"). */
  flags?: string;
  secretGroup?: number;
  /** Minimum Shannon entropy (bits per character) of the secret. */
  entropy?: number;
  /** Secrets matching one of these are documentation values or placeholders, never reported. */
  allowValues?: string[];
  /** Drop matches whose secret is a placeholder (`${PASSWORD}`, `<password>`, `changeme`, `xxx`). */
  filterPlaceholders?: boolean;
  /** Paths (regex sources, matched against the absolute virtual path) where the rule is silent. */
  allowPaths?: string[];
}

export type SecretLocationKind = 'layer-file' | 'config-env' | 'config-label' | 'history';

export interface SecretLocation {
  kind: SecretLocationKind;
  /** File path, Env variable name, label key, or `history[N]`. */
  path?: string;
  layerIndex?: number;
  layerDigest?: string;
  inFinalFs?: boolean;
  /** Index of the layer whose whiteout removed the file (the bytes stay in the image). */
  removedInLayer?: number;
  line?: number;
}

export interface SecretFinding {
  ruleId: string;
  category: string;
  title: string;
  severity: Severity;
  location: SecretLocation;
  /** The matched text with the secret masked; the clear value is never stored. */
  match: string;
  /** Extra context for humans ("removed in layer 2, still in the image"). */
  note?: string;
}

/** The parts of an OCI / Docker image config that the secret and misconfiguration checks read. */
export interface ImageConfigLike {
  created?: string;
  architecture?: string;
  os?: string;
  config?: {
    User?: string;
    Env?: string[] | null;
    Labels?: Record<string, string> | null;
    ExposedPorts?: Record<string, unknown> | null;
    Healthcheck?: { Test?: string[] | null } | null;
    Cmd?: string[] | null;
    Entrypoint?: string[] | null;
    WorkingDir?: string;
  } | null;
  history?: { created?: string; created_by?: string; empty_layer?: boolean; comment?: string }[] | null;
}
