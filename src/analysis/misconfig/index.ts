import { baseImageAllowlist, imageAge, noHealthcheck, privilegedPorts, remoteAdd, rootUser, secretsInEnv, sensitivePorts } from './checks/config.js';
import { compilers, debuggers, networkTools, packageManagers, setuidFiles, shells, sshd, sudo, worldWritable } from './checks/files.js';
import { endOfLifeOs } from './checks/os.js';
import type { FinalFile, MisconfigCheck, MisconfigContext, MisconfigFinding, MisconfigInput, MisconfigOptions } from './types.js';

export type * from './types.js';
export { isRootUser, SENSITIVE_PORTS } from './checks/config.js';

/** Every image misconfiguration check, in id order. */
export const MISCONFIG_CHECKS: readonly MisconfigCheck[] = [
  rootUser,
  noHealthcheck,
  sensitivePorts,
  privilegedPorts,
  sshd,
  packageManagers,
  shells,
  networkTools,
  compilers,
  debuggers,
  setuidFiles,
  worldWritable,
  sudo,
  secretsInEnv,
  imageAge,
  endOfLifeOs,
  baseImageAllowlist,
  remoteAdd,
];

const BIN_DIRS = ['/bin', '/sbin', '/usr/bin', '/usr/sbin', '/usr/local/bin', '/usr/local/sbin'];

function context(input: MisconfigInput, options: MisconfigOptions): MisconfigContext {
  const byPath = new Map<string, FinalFile>();
  const executables = new Map<string, string[]>();
  for (const f of input.files) {
    byPath.set(f.path, f);
    if (f.type !== 'file' && f.type !== 'symlink') continue;
    const slash = f.path.lastIndexOf('/');
    if (!BIN_DIRS.includes(f.path.slice(0, slash))) continue;
    const name = f.path.slice(slash + 1);
    const list = executables.get(name) ?? [];
    list.push(f.path);
    executables.set(name, list);
  }
  return {
    ...input,
    options: { now: options.now ?? new Date(), maxImageAgeDays: options.maxImageAgeDays ?? 365, allowedBaseImages: options.allowedBaseImages },
    byPath,
    executables,
    packageNames: new Set((input.packages ?? []).map((p) => p.name)),
  };
}

/** Runs every check (or the given ones) over an image's config and final filesystem. Pure. */
export function runMisconfigChecks(
  input: MisconfigInput,
  options: MisconfigOptions = {},
  checks: readonly MisconfigCheck[] = MISCONFIG_CHECKS,
): MisconfigFinding[] {
  const ctx = context(input, options);
  return checks.flatMap((check) =>
    check.run(ctx).map((r) => {
      const f: MisconfigFinding = {
        id: check.id,
        title: check.title,
        severity: r.severity ?? check.severity,
        message: r.message,
        remediation: check.remediation,
        references: check.references,
      };
      if (r.location) f.location = r.location;
      if (r.details) f.details = r.details;
      return f;
    }),
  );
}

/** The final-filesystem view the checks take, from anything that walks (path, node) pairs (the engine's VirtualFs). */
export function finalFilesFrom(fs: {
  walk(): Iterable<[string, { type: FinalFile['type']; mode: number; uid: number; gid: number; linkTarget?: string }]>;
}): FinalFile[] {
  const files: FinalFile[] = [];
  for (const [path, node] of fs.walk()) {
    const file: FinalFile = { path, type: node.type, mode: node.mode, uid: node.uid, gid: node.gid };
    if (node.linkTarget !== undefined) file.linkTarget = node.linkTarget;
    files.push(file);
  }
  return files;
}
export { formatMisconfigTable, parseSeverities, sortFindings } from './format.js';
