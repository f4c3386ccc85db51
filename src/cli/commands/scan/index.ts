import type { Command } from 'commander';
import { addTargetScanOptions, type TargetScanOptions } from './options.js';
import { runScan, ScanExit, type ScanTarget } from './run.js';

const TARGETS: { name: ScanTarget; arg: string; description: string; scanners: boolean; platform: boolean }[] = [
  { name: 'image', arg: '<source>', description: 'scan a container image (oci:DIR[:TAG], oci-archive:FILE, docker-archive:FILE, docker://REF, rootfs:DIR)', scanners: true, platform: true },
  { name: 'fs', arg: '<dir>', description: 'scan a project directory (lock files, secrets, Dockerfiles)', scanners: true, platform: false },
  { name: 'rootfs', arg: '<dir>', description: 'scan an unpacked root filesystem', scanners: true, platform: false },
  { name: 'sbom', arg: '<file>', description: 'match the packages of a CycloneDX or SPDX JSON SBOM against the vulnerability DB', scanners: false, platform: false },
];

function registerTarget(scan: Command, t: (typeof TARGETS)[number]): void {
  const cmd = scan.command(t.name).description(t.description).argument(t.arg);
  addTargetScanOptions(cmd, t).action(async (input: string, opts: TargetScanOptions) => {
    try {
      const code = await runScan(t.name, input, opts);
      if (code !== 0) process.exitCode = code;
    } catch (err) {
      if (!(err instanceof ScanExit)) throw err;
      process.stderr.write(`portcullis scan ${t.name}: ${err.message}\n`);
      process.exitCode = err.code;
    }
  });
}

/** `scan image`, `scan fs`, `scan rootfs`, `scan sbom`: one entry per target for SCAN_SUBCOMMANDS. */
export const TARGET_SUBCOMMANDS: ((scan: Command) => void)[] = TARGETS.map((t) => (scan: Command) => registerTarget(scan, t));

export { runScan, ScanExit, type ScanTarget } from './run.js';
export { envName, EXIT_CODES_HELP, type TargetScanOptions } from './options.js';
