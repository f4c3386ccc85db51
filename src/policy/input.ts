/**
 * What a policy looks at, normalised from the analysis, vulnerability, secret and
 * misconfiguration results (and later the signature check), so the evaluation stays pure.
 */
export interface PolicyVulnerability {
  id: string;
  aliases: string[];
  severity: string;
  /** fixed | affected | will_not_fix | end_of_life */
  status: string;
  fixedVersion?: string;
  packageName: string;
  packageVersion: string;
}

export interface PolicySecret {
  ruleId: string;
  severity: string;
  title: string;
  /** Where it was found, already masked ("Env AWS_SECRET_ACCESS_KEY", "/root/.npmrc (layer 1, removed in layer 2)"). */
  where: string;
}

export interface PolicyMisconfiguration {
  id: string;
  severity: string;
  title: string;
}

export interface PolicySignature {
  /** Names of trusted keys whose signature verified. */
  verifiedKeys: string[];
  /** Why nothing verified, when nothing did ("no signature", "signature does not verify with key x"). */
  problems: string[];
}

export interface EvaluationInput {
  /** False when the image was never analysed (the pull gate's "must have been scanned"). */
  scanned: boolean;
  vulnerabilities: PolicyVulnerability[];
  secrets: PolicySecret[];
  misconfigurations: PolicyMisconfiguration[];
  os?: { name: string; release: string; eol?: string };
  /** The image config's creation time. */
  created?: string;
  /** Base image references the image declares (label org.opencontainers.image.base.name, history). */
  baseImages: string[];
  signature?: PolicySignature;
}
