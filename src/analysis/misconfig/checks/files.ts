import { cis, nist } from '../refs.js';
import type { CheckResult, MisconfigCheck, MisconfigContext } from '../types.js';

/** Executables found under these names (exact, or matching the regex) in the standard bin directories. */
function findExecutables(ctx: MisconfigContext, names: readonly (string | RegExp)[]): string[] {
  const out: string[] = [];
  for (const [name, paths] of ctx.executables) {
    if (names.some((n) => (typeof n === 'string' ? n === name : n.test(name)))) out.push(...paths);
  }
  return out.sort();
}

function presenceCheck(
  base: Omit<MisconfigCheck, 'run'>,
  names: readonly (string | RegExp)[],
  packages: readonly string[],
  what: string,
): MisconfigCheck {
  return {
    ...base,
    run(ctx) {
      const paths = findExecutables(ctx, names);
      const pkgs = packages.filter((p) => ctx.packageNames.has(p));
      if (paths.length === 0 && pkgs.length === 0) return [];
      const evidence = [...paths, ...pkgs.map((p) => `package ${p}`)];
      const shown = paths.length > 0 ? paths : pkgs.map((p) => `package ${p}`);
      return [
        {
          message: `${what}: ${shown.slice(0, 12).join(', ')}${shown.length > 12 ? `, … (${shown.length} in all)` : ''}.`,
          location: { kind: 'file', path: paths[0] ?? '/' },
          details: evidence,
        },
      ];
    },
  };
}

export const sshd = presenceCheck(
  {
    id: 'PCS-IMG-005',
    title: 'SSH server in the image',
    severity: 'HIGH',
    remediation: 'Remove the SSH server; use `docker exec` / `kubectl exec` for access. Never bake host keys into an image.',
    references: [cis('5.6'), nist('4.1.2')],
  },
  ['sshd', 'dropbear'],
  ['openssh-server', 'dropbear', 'dropbear-bin'],
  'SSH server present',
);

export const packageManagers = presenceCheck(
  {
    id: 'PCS-IMG-006',
    title: 'Package manager in the final image',
    severity: 'LOW',
    remediation: 'Use a multi-stage build or a distroless/minimal base so the runtime image has no package manager.',
    references: [cis('4.3'), nist('4.1.2')],
  },
  ['apt', 'apt-get', 'dpkg', 'apk', 'yum', 'dnf', 'microdnf', 'rpm', 'zypper', 'pacman', 'pip', 'pip3', /^pip3\.\d+$/, 'npm', 'yarn', 'pnpm', 'gem', 'conda'],
  [],
  'Package managers present',
);

export const shells = presenceCheck(
  {
    id: 'PCS-IMG-007',
    title: 'Shell in the final image',
    severity: 'LOW',
    remediation: 'Ship only the application (distroless or scratch base) so an intruder has no shell to run.',
    references: [cis('4.3'), nist('4.1.2')],
  },
  ['sh', 'bash', 'dash', 'zsh', 'ash', 'ksh', 'mksh', 'csh', 'tcsh', 'fish', 'busybox'],
  [],
  'Shells present',
);

export const networkTools = presenceCheck(
  {
    id: 'PCS-IMG-008',
    title: 'Netcat or similar network tool in the image',
    severity: 'MEDIUM',
    remediation: 'Remove netcat, socat, nmap and telnet from the runtime image; they make reverse shells and lateral movement easy.',
    references: [cis('4.3'), nist('4.1.2')],
  },
  ['nc', 'ncat', 'netcat', /^nc\.(?:openbsd|traditional)$/, 'socat', 'nmap', 'telnet'],
  ['netcat-openbsd', 'netcat-traditional', 'ncat', 'socat', 'nmap', 'telnet'],
  'Network tools present',
);

export const compilers = presenceCheck(
  {
    id: 'PCS-IMG-009',
    title: 'Compiler or build tool in the final image',
    severity: 'MEDIUM',
    remediation: 'Build in an earlier stage of a multi-stage build and copy only the artefacts into the runtime image.',
    references: [cis('4.3'), nist('4.1.2')],
  },
  [/^(?:gcc|g\+\+|cc|c\+\+|clang|clang\+\+)(?:-\d+)?$/, /^x86_64-linux-gnu-gcc(?:-\d+)?$/, 'tcc', 'rustc', 'cargo', 'go', 'javac', 'make', 'cmake'],
  ['build-essential', 'gcc', 'g++', 'clang', 'golang', 'rustc'],
  'Build tools present',
);

export const debuggers = presenceCheck(
  {
    id: 'PCS-IMG-010',
    title: 'Debugger or tracer in the image',
    severity: 'MEDIUM',
    remediation: 'Remove gdb, strace and similar tools from production images; attach debugging tools only when needed.',
    references: [cis('4.3'), nist('4.1.2')],
  },
  ['gdb', 'gdbserver', 'strace', 'ltrace', 'lldb', 'valgrind', 'perf'],
  [],
  'Debuggers present',
);

export const sudo = presenceCheck(
  {
    id: 'PCS-IMG-013',
    title: 'sudo in the image',
    severity: 'MEDIUM',
    remediation: 'Remove sudo; run as the intended user from the start and grant capabilities at deploy time if needed.',
    references: [cis('4.1'), cis('4.3'), nist('4.1.2')],
  },
  ['sudo', 'doas'],
  ['sudo', 'doas'],
  'sudo present',
);

function modeString(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, '0');
}

export const setuidFiles: MisconfigCheck = {
  id: 'PCS-IMG-011',
  title: 'setuid/setgid files',
  severity: 'MEDIUM',
  remediation: 'Remove the setuid/setgid bits from files that do not need them (`chmod a-s`), or remove the files.',
  references: [cis('4.8'), nist('4.1.2')],
  run({ files }) {
    const hits = files.filter((f) => f.type === 'file' && (f.mode & 0o6000) !== 0).sort((a, b) => a.path.localeCompare(b.path));
    if (hits.length === 0) return [];
    const details = hits.map((f) => `${f.path} ${modeString(f.mode)} ${f.uid}:${f.gid}${f.mode & 0o4000 ? ' setuid' : ''}${f.mode & 0o2000 ? ' setgid' : ''}`);
    return [{ message: `${hits.length} setuid/setgid files.`, location: { kind: 'file', path: hits[0]!.path }, details }];
  },
};

export const worldWritable: MisconfigCheck = {
  id: 'PCS-IMG-012',
  title: 'World-writable files or directories',
  severity: 'MEDIUM',
  remediation: 'Remove write permission for others (`chmod o-w`); use the sticky bit for shared scratch directories.',
  references: [cis('4.8'), nist('4.1.2')],
  run({ files }) {
    // Sticky world-writable directories (/tmp, /var/tmp) and everything below them are meant to be shared.
    const sticky = files.filter((f) => f.type === 'dir' && (f.mode & 0o1002) === 0o1002).map((f) => `${f.path.replace(/\/$/, '')}/`);
    const hits = files
      .filter((f) => (f.type === 'file' || f.type === 'dir') && (f.mode & 0o002) !== 0)
      .filter((f) => !(f.type === 'dir' && f.mode & 0o1000))
      .filter((f) => !sticky.some((d) => f.path.startsWith(d)))
      .sort((a, b) => a.path.localeCompare(b.path));
    if (hits.length === 0) return [];
    const results: CheckResult[] = [
      {
        message: `${hits.length} world-writable ${hits.length === 1 ? 'entry' : 'entries'} outside sticky directories.`,
        location: { kind: 'file', path: hits[0]!.path },
        details: hits.map((f) => `${f.path} ${modeString(f.mode)} ${f.type}`),
      },
    ];
    return results;
  },
};
