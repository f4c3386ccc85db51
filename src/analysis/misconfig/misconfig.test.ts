import { describe, expect, it } from 'vitest';
import { MISCONFIG_CHECKS, isRootUser, runMisconfigChecks } from './index.js';
import type { FinalFile, MisconfigInput } from './types.js';

const f = (path: string, mode = 0o755, type: FinalFile['type'] = 'file'): FinalFile => ({ path, mode, uid: 0, gid: 0, type });

const hardened: MisconfigInput = {
  config: {
    created: '2026-11-01T00:00:00Z',
    config: {
      User: '10001:10001',
      Env: ['PATH=/usr/bin', 'NODE_ENV=production'],
      ExposedPorts: { '8080/tcp': {} },
      Healthcheck: { Test: ['CMD', '/app/health'] },
    },
    history: [{ created_by: 'COPY app /app # buildkit' }],
  },
  files: [f('/', 0o755, 'dir'), f('/app', 0o755, 'dir'), f('/app/server'), f('/tmp', 0o1777, 'dir'), f('/tmp/scratch', 0o666)],
  os: { family: 'debian', name: 'debian', release: '12', eol: '2028-06-30' },
};
const NOW = new Date('2026-11-22T00:00:00Z');
const ids = (input: MisconfigInput, opts = {}) => runMisconfigChecks(input, { now: NOW, ...opts }).map((x) => x.id);

describe('misconfiguration checks', () => {
  it('every check has an id, remediation and CIS / NIST references', () => {
    expect(new Set(MISCONFIG_CHECKS.map((c) => c.id)).size).toBe(MISCONFIG_CHECKS.length);
    for (const c of MISCONFIG_CHECKS) {
      expect(c.id).toMatch(/^PCS-IMG-\d{3}$/);
      expect(c.remediation.length).toBeGreaterThan(20);
      expect(c.references.some((r) => r.source === 'NIST SP 800-190')).toBe(true);
      expect(c.references.some((r) => r.source === 'CIS Docker Benchmark')).toBe(true);
    }
  });

  it('a hardened image has no findings', () => {
    expect(ids(hardened)).toEqual([]);
  });

  it.each([
    [undefined, true],
    ['', true],
    ['root', true],
    ['0', true],
    ['0:0', true],
    ['root:root', true],
    ['nobody', false],
    ['app', false],
    ['1000:0', false],
  ])('user %j is root: %s', (user, root) => {
    expect(isRootUser(user)).toBe(root);
    const input = { ...hardened, config: { ...hardened.config, config: { ...hardened.config.config, User: user } } };
    expect(ids(input).includes('PCS-IMG-001')).toBe(root);
  });

  it('reports a risky image: root, ports, sshd, netcat, sudo, setuid, world-writable, tools, secrets in Env', () => {
    const risky: MisconfigInput = {
      config: {
        created: '2020-01-01T00:00:00Z',
        config: {
          User: 'root',
          Env: ['PATH=/usr/bin', 'DB_PASSWORD=hunter2', 'AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE', 'EMPTY_TOKEN='],
          ExposedPorts: { '22/tcp': {}, '80/tcp': {} },
        },
        history: [{ created_by: '/bin/sh -c #(nop) ADD https://example.com/tool.tgz /opt/' }],
      },
      files: [
        f('/usr/sbin/sshd'),
        f('/usr/bin/nc', 0o777, 'symlink'),
        f('/usr/bin/nc.openbsd'),
        f('/usr/bin/sudo', 0o4755),
        f('/usr/bin/chage', 0o2755),
        f('/usr/bin/apt-get'),
        f('/usr/bin/bash'),
        f('/usr/bin/gcc-12'),
        f('/usr/bin/strace'),
        f('/var/www', 0o777, 'dir'),
        f('/etc/app.conf', 0o666),
        f('/var/local', 0o2775, 'dir'),
      ],
      os: { family: 'debian', name: 'debian', release: '10', prettyName: 'Debian GNU/Linux 10 (buster)', eol: '2024-06-30' },
      packages: [],
    };
    const findings = runMisconfigChecks(risky, { now: NOW, allowedBaseImages: ['docker.io/library/debian:*'] });
    const byId = Object.fromEntries(findings.map((x) => [x.id, x]));
    expect(Object.keys(byId).sort()).toEqual([
      'PCS-IMG-001', 'PCS-IMG-002', 'PCS-IMG-003', 'PCS-IMG-004', 'PCS-IMG-005', 'PCS-IMG-006', 'PCS-IMG-007', 'PCS-IMG-008',
      'PCS-IMG-009', 'PCS-IMG-010', 'PCS-IMG-011', 'PCS-IMG-012', 'PCS-IMG-013', 'PCS-IMG-014', 'PCS-IMG-015', 'PCS-IMG-016',
      'PCS-IMG-017', 'PCS-IMG-018',
    ]);
    expect(byId['PCS-IMG-003']!.details).toEqual(['22/tcp']);
    expect(byId['PCS-IMG-004']!.details).toEqual(['80/tcp']);
    expect(byId['PCS-IMG-011']!.details).toEqual(['/usr/bin/chage 2755 0:0 setgid', '/usr/bin/sudo 4755 0:0 setuid']);
    expect(byId['PCS-IMG-012']!.details).toEqual(['/etc/app.conf 0666 file', '/var/www 0777 dir']);
    expect(byId['PCS-IMG-014']!.details).toEqual(['DB_PASSWORD', 'AWS_ACCESS_KEY_ID']);
    expect(JSON.stringify(findings)).not.toContain('hunter2');
    expect(byId['PCS-IMG-016']!.message).toBe('Debian GNU/Linux 10 (buster) reached end of life on 2024-06-30.');
    expect(byId['PCS-IMG-017']!.severity).toBe('MEDIUM');
    expect(byId['PCS-IMG-018']!.location).toEqual({ kind: 'history', path: 'history[0]' });
  });

  it('holds the base image label against the allow list', () => {
    const labelled = (base: string) => ({ ...hardened, config: { ...hardened.config, config: { ...hardened.config.config, Labels: { 'org.opencontainers.image.base.name': base } } } });
    const opts = { allowedBaseImages: ['docker.io/library/debian:*', 'gcr.io/distroless/*'] };
    expect(ids(labelled('docker.io/library/debian:12-slim'), opts)).toEqual([]);
    expect(ids(labelled('gcr.io/distroless/static:nonroot'), opts)).toEqual([]);
    expect(ids(labelled('docker.io/evil/debian:12'), opts)).toEqual(['PCS-IMG-017']);
    expect(ids(labelled('docker.io/evil/debian:12'))).toEqual([]);
  });

  it('uses the configured age limit', () => {
    expect(ids(hardened, { maxImageAgeDays: 7 })).toEqual(['PCS-IMG-015']);
    expect(ids(hardened, { maxImageAgeDays: 30 })).toEqual([]);
  });

  it('detects tools by package when the binary is elsewhere', () => {
    const input = { ...hardened, packages: [{ type: 'dpkg' as const, ecosystem: 'Debian:12', name: 'openssh-server', version: '1', purl: 'pkg:deb/debian/openssh-server@1', path: '/var/lib/dpkg/status' }] };
    expect(ids(input)).toEqual(['PCS-IMG-005']);
  });
});
