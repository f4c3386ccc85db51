import { cis, hadolint, nist, trivy } from '../misconfig/refs.js';
import type { MisconfigCheck } from '../misconfig/types.js';

export type DockerfileRule = Omit<MisconfigCheck, 'run'>;

function rule(id: string, title: string, severity: DockerfileRule['severity'], remediation: string, references: DockerfileRule['references']): DockerfileRule {
  return { id, title, severity, remediation, references };
}

/** Every Dockerfile lint rule, by id. */
export const DOCKERFILE_RULES = {
  unpinnedBase: rule('PCS-DF-001', 'Base image not pinned', 'MEDIUM', 'Pin the base image to a version tag and, better, a digest (`FROM debian:12.8@sha256:...`).', [cis('4.2'), nist('4.1.5'), trivy('AVD-DS-0001'), hadolint('DL3006'), hadolint('DL3007')]),
  rootUser: rule('PCS-DF-002', 'Image runs as root', 'HIGH', 'Add `USER <non-root>` after the steps that need root, as the last USER of the final stage.', [cis('4.1'), nist('4.1.2'), trivy('AVD-DS-0002'), hadolint('DL3002')]),
  addInsteadOfCopy: rule('PCS-DF-003', 'ADD used instead of COPY', 'LOW', 'Use COPY for local files; ADD is only needed to unpack a local archive.', [cis('4.9'), trivy('AVD-DS-0005'), hadolint('DL3020')]),
  remoteAdd: rule('PCS-DF-004', 'ADD downloads from the network', 'MEDIUM', 'Download in a RUN step with a checksum or signature check (`curl -fsSLO ... && sha256sum -c`).', [cis('4.9'), cis('4.11'), nist('4.1.3')]),
  aptNoYes: rule('PCS-DF-005', 'apt-get install without -y', 'LOW', 'Use `apt-get install -y` so the build does not wait for input.', [trivy('AVD-DS-0021'), hadolint('DL3014')]),
  aptRecommends: rule('PCS-DF-006', 'apt-get install without --no-install-recommends', 'LOW', 'Add `--no-install-recommends` to avoid unneeded packages.', [cis('4.3'), trivy('AVD-DS-0029'), hadolint('DL3015')]),
  aptLists: rule('PCS-DF-007', 'apt lists not cleaned up', 'LOW', 'End the same RUN with `&& rm -rf /var/lib/apt/lists/*`.', [cis('4.3'), hadolint('DL3009')]),
  aptUpgrade: rule('PCS-DF-008', 'apt-get upgrade in the build', 'LOW', 'Use an updated base image instead of upgrading all packages in the build; pin what you install.', [cis('4.7'), trivy('AVD-DS-0024'), hadolint('DL3005')]),
  apkCache: rule('PCS-DF-009', 'apk add without --no-cache', 'LOW', 'Use `apk add --no-cache` so the index is not kept in the image.', [cis('4.3'), trivy('AVD-DS-0025'), hadolint('DL3019')]),
  curlPipeShell: rule('PCS-DF-010', 'Remote script piped to a shell', 'HIGH', 'Download the script, verify its checksum or signature, then run it.', [cis('4.11'), nist('4.1.3')]),
  sudo: rule('PCS-DF-011', 'sudo used in RUN', 'MEDIUM', 'Build steps already run as root when needed; switch users with USER instead of sudo.', [cis('4.1'), trivy('AVD-DS-0010'), hadolint('DL3004')]),
  exposeSensitive: rule('PCS-DF-012', 'Sensitive port exposed', 'MEDIUM', 'Do not expose SSH, Telnet, RDP, VNC or the Docker API from an application image.', [cis('5.8'), cis('5.6'), nist('4.1.2'), trivy('AVD-DS-0004')]),
  secretsInEnv: rule('PCS-DF-013', 'Secret in ENV or ARG', 'HIGH', 'Pass secrets at run time or with BuildKit secret mounts (`RUN --mount=type=secret`), never with ENV or ARG.', [cis('4.10'), nist('4.1.4')]),
  maintainer: rule('PCS-DF-014', 'MAINTAINER is deprecated', 'LOW', 'Use `LABEL org.opencontainers.image.authors="..."` instead.', [trivy('AVD-DS-0022'), hadolint('DL4000')]),
  multipleCmd: rule('PCS-DF-015', 'Several CMD or ENTRYPOINT instructions', 'MEDIUM', 'Keep one CMD and one ENTRYPOINT per stage; only the last one takes effect.', [trivy('AVD-DS-0016'), hadolint('DL4003'), hadolint('DL4004')]),
  relativeWorkdir: rule('PCS-DF-016', 'Relative WORKDIR', 'LOW', 'Use an absolute WORKDIR path.', [trivy('AVD-DS-0009'), hadolint('DL3000')]),
  noHealthcheck: rule('PCS-DF-017', 'No HEALTHCHECK', 'LOW', 'Add a HEALTHCHECK to the final stage.', [cis('4.6'), trivy('AVD-DS-0026')]),
  noMultiStage: rule('PCS-DF-018', 'Build tools without a multi-stage build', 'MEDIUM', 'Compile in a builder stage and COPY --from it into a small runtime stage.', [cis('4.3'), nist('4.1.2')]),
} as const satisfies Record<string, DockerfileRule>;
