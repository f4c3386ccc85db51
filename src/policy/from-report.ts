/**
 * A scan report (src/scan) as the facts a policy looks at. The report carries no image config, so
 * the creation time and the declared base image come from the config when the caller has it.
 */
import type { ImageConfigLike, SecretFinding } from '../analysis/secrets/types.js';
import type { ScanReport } from '../scan/types.js';
import type { EvaluationInput, PolicySecret } from './input.js';

/** OCI annotation (also used as a label) naming the image this one was built from. */
export const BASE_NAME_LABEL = 'org.opencontainers.image.base.name';

/**
 * The fully qualified form policies are written against: `debian:12` is `docker.io/library/debian:12`,
 * `me/app` is `docker.io/me/app`; a name whose first component looks like a host stays as it is.
 */
export function normaliseReference(ref: string): string {
  const slash = ref.indexOf('/');
  const first = slash < 0 ? '' : ref.slice(0, slash);
  if (slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost')) return ref;
  return slash < 0 ? `docker.io/library/${ref}` : `docker.io/${ref}`;
}

/** Base images the config declares (the label `org.opencontainers.image.base.name`). */
export function declaredBaseImages(config: ImageConfigLike | undefined): string[] {
  const name = config?.config?.Labels?.[BASE_NAME_LABEL]?.trim();
  return name ? [normaliseReference(name)] : [];
}

/** Where a secret was found, in words (the value itself is never part of it). */
export function secretWhere(s: SecretFinding): string {
  const loc = s.location;
  switch (loc.kind) {
    case 'config-env':
      return `Env ${loc.path ?? '?'}`;
    case 'config-label':
      return `Label ${loc.path ?? '?'}`;
    case 'history':
      return loc.path ?? 'history';
    case 'layer-file': {
      // Layer numbers as the secret scanner prints them in its notes.
      const parts: string[] = [];
      if (loc.layerIndex !== undefined) parts.push(`layer ${loc.layerIndex}`);
      if (loc.removedInLayer !== undefined) parts.push(`removed in layer ${loc.removedInLayer}`);
      return `${loc.path ?? '?'}${parts.length ? ` (${parts.join(', ')})` : ''}`;
    }
  }
}

export function inputFromReport(report: ScanReport, config?: ImageConfigLike): EvaluationInput {
  const os = report.artifact.os;
  const secrets: PolicySecret[] = report.secrets.map((s) => ({ ruleId: s.ruleId, severity: s.severity, title: s.title, where: secretWhere(s) }));
  return {
    // A report exists, so the image was analysed: the pull gate's "must have been scanned" holds.
    scanned: true,
    vulnerabilities: report.vulnerabilities.map((v) => ({
      id: v.advisoryId,
      aliases: v.aliases,
      severity: v.severity,
      status: v.status,
      ...(v.fixedVersion !== undefined ? { fixedVersion: v.fixedVersion } : {}),
      packageName: v.package.name,
      packageVersion: v.package.version,
    })),
    secrets,
    misconfigurations: report.misconfigurations.map((m) => ({ id: m.id, severity: m.severity, title: m.title })),
    ...(os ? { os: { name: os.name, release: os.release, ...(os.eol !== undefined ? { eol: os.eol } : {}) } } : {}),
    ...(config?.created !== undefined ? { created: config.created } : {}),
    baseImages: declaredBaseImages(config),
  };
}
