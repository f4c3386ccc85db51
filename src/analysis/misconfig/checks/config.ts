import { scanImageConfigForSecrets } from '../../secrets/image.js';
import { sensitiveEnvName } from '../../secrets/env.js';
import { isPlaceholder } from '../../secrets/text.js';
import { cis, nist, trivy } from '../refs.js';
import type { MisconfigCheck } from '../types.js';

/** Is `User` root? Empty means root; "nobody", "app", "1000" are not. */
export function isRootUser(user: string | undefined): boolean {
  const name = (user ?? '').trim().split(':')[0]!.trim();
  return name === '' || name === 'root' || name === '0';
}

export const rootUser: MisconfigCheck = {
  id: 'PCS-IMG-001',
  title: 'Image runs as root',
  severity: 'HIGH',
  remediation: 'Create an unprivileged user and set it with USER (e.g. `USER 10001:10001`) as the last user instruction.',
  references: [cis('4.1'), nist('4.1.2'), nist('4.4.3'), trivy('AVD-DS-0002')],
  run({ config }) {
    const user = config.config?.User;
    if (!isRootUser(user)) return [];
    return [
      {
        message: user ? `The image's user is "${user}" (root).` : 'The image sets no USER, so containers run as root.',
        location: { kind: 'config', path: 'config.User' },
      },
    ];
  },
};

export const noHealthcheck: MisconfigCheck = {
  id: 'PCS-IMG-002',
  title: 'No HEALTHCHECK',
  severity: 'LOW',
  remediation: 'Add a HEALTHCHECK instruction so the runtime can detect and replace an unhealthy container.',
  references: [cis('4.6'), nist('4.1.2'), trivy('AVD-DS-0026')],
  run({ config }) {
    const test = config.config?.Healthcheck?.Test;
    if (test && test.length > 0 && test[0] !== 'NONE') return [];
    return [{ message: 'The image defines no health check.', location: { kind: 'config', path: 'config.Healthcheck' } }];
  },
};

/** Ports of remote shells, remote desktops and control planes. */
export const SENSITIVE_PORTS: Readonly<Record<number, string>> = {
  21: 'FTP', 22: 'SSH', 23: 'Telnet', 111: 'RPC portmapper', 135: 'MS RPC', 139: 'NetBIOS', 445: 'SMB',
  512: 'rexec', 513: 'rlogin', 514: 'rsh', 2375: 'Docker API (plain)', 2376: 'Docker API (TLS)',
  2379: 'etcd', 2380: 'etcd peer', 3389: 'RDP', 5900: 'VNC', 5901: 'VNC', 5985: 'WinRM', 5986: 'WinRM (TLS)',
  6000: 'X11', 10250: 'kubelet',
};

function exposedPorts(ports: Record<string, unknown> | null | undefined): { spec: string; port: number }[] {
  return Object.keys(ports ?? {}).flatMap((spec) => {
    const port = Number(spec.split('/')[0]);
    return Number.isInteger(port) ? [{ spec, port }] : [];
  });
}

export const sensitivePorts: MisconfigCheck = {
  id: 'PCS-IMG-003',
  title: 'Sensitive port exposed',
  severity: 'HIGH',
  remediation: 'Do not expose remote-administration ports; use `docker exec`/`kubectl exec` and orchestrator APIs instead.',
  references: [cis('5.8'), cis('5.6'), nist('4.1.2'), trivy('AVD-DS-0004')],
  run({ config }) {
    const hits = exposedPorts(config.config?.ExposedPorts).filter((p) => SENSITIVE_PORTS[p.port]);
    if (hits.length === 0) return [];
    return [
      {
        message: `Exposed: ${hits.map((p) => `${p.spec} (${SENSITIVE_PORTS[p.port]})`).join(', ')}.`,
        location: { kind: 'config', path: 'config.ExposedPorts' },
        details: hits.map((p) => p.spec),
      },
    ];
  },
};

export const privilegedPorts: MisconfigCheck = {
  id: 'PCS-IMG-004',
  title: 'Privileged port exposed',
  severity: 'LOW',
  remediation: 'Listen on a port above 1023 inside the container and map it at deploy time; binding below 1024 needs extra privileges.',
  references: [cis('5.7'), nist('4.1.2')],
  run({ config }) {
    const hits = exposedPorts(config.config?.ExposedPorts).filter((p) => p.port < 1024 && !SENSITIVE_PORTS[p.port]);
    if (hits.length === 0) return [];
    return [
      {
        message: `Ports below 1024 exposed: ${hits.map((p) => p.spec).join(', ')}.`,
        location: { kind: 'config', path: 'config.ExposedPorts' },
        details: hits.map((p) => p.spec),
      },
    ];
  },
};

export const secretsInEnv: MisconfigCheck = {
  id: 'PCS-IMG-014',
  title: 'Secrets in environment variables',
  severity: 'HIGH',
  remediation: 'Pass credentials at run time (orchestrator secrets, mounted files), never with ENV or build args baked into the image.',
  references: [cis('4.10'), nist('4.1.4')],
  run({ config }) {
    const env = config.config?.Env ?? [];
    const names = new Set<string>();
    for (const f of scanImageConfigForSecrets({ config: { Env: env } })) if (f.location.path) names.add(f.location.path);
    for (const entry of env) {
      const eq = entry.indexOf('=');
      if (eq > 0 && sensitiveEnvName(entry.slice(0, eq)) && !isPlaceholder(entry.slice(eq + 1))) names.add(entry.slice(0, eq));
    }
    // In Env order, each name once.
    const ordered = [...new Set(env.map((e) => e.split('=')[0]!))].filter((n) => names.has(n));
    if (ordered.length === 0) return [];
    return [
      {
        message: `Credential-like values in Env: ${ordered.join(', ')}.`,
        location: { kind: 'config', path: 'config.Env' },
        details: ordered,
      },
    ];
  },
};

export const imageAge: MisconfigCheck = {
  id: 'PCS-IMG-015',
  title: 'Image is old',
  severity: 'MEDIUM',
  remediation: 'Rebuild the image regularly on an updated base so it picks up security fixes.',
  references: [cis('4.4'), nist('4.2.2')],
  run({ config, options }) {
    const created = config.created ? Date.parse(config.created) : NaN;
    if (Number.isNaN(created)) return [];
    const days = Math.floor((options.now.getTime() - created) / 86_400_000);
    if (days <= options.maxImageAgeDays) return [];
    return [
      {
        message: `The image was created ${days} days ago (${config.created}); the limit is ${options.maxImageAgeDays} days.`,
        location: { kind: 'config', path: 'created' },
      },
    ];
  },
};

function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
}

export const baseImageAllowlist: MisconfigCheck = {
  id: 'PCS-IMG-017',
  title: 'Base image not in the allow list',
  severity: 'HIGH',
  remediation: 'Build FROM an approved base image and record it in the org.opencontainers.image.base.name label.',
  references: [cis('4.2'), nist('4.1.5')],
  run({ config, options }) {
    const allowed = options.allowedBaseImages;
    if (!allowed || allowed.length === 0) return [];
    const base = config.config?.Labels?.['org.opencontainers.image.base.name'];
    if (!base) {
      return [
        {
          message: 'The base image is unknown (no org.opencontainers.image.base.name label), so it cannot be held against the allow list.',
          location: { kind: 'config', path: 'config.Labels' },
          severity: 'MEDIUM',
        },
      ];
    }
    if (allowed.some((g) => globToRegExp(g).test(base))) return [];
    return [{ message: `Base image ${base} is not in the allow list.`, location: { kind: 'config', path: 'config.Labels' } }];
  },
};

export const remoteAdd: MisconfigCheck = {
  id: 'PCS-IMG-018',
  title: 'Remote file added with ADD',
  severity: 'MEDIUM',
  remediation: 'Download with curl/wget in a RUN step that verifies a checksum or signature, or use COPY for local files.',
  references: [cis('4.9'), cis('4.11'), nist('4.1.3'), trivy('AVD-DS-0005')],
  run({ config }) {
    return (config.history ?? []).flatMap((h, i) => {
      const m = /\bADD\s+(?:--\S+\s+)*(https?:\/\/\S+)/.exec(h.created_by ?? '');
      return m ? [{ message: `History step ${i} adds ${m[1]} from the network.`, location: { kind: 'history' as const, path: `history[${i}]` } }] : [];
    });
  },
};
