import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { lintDockerfile } from '../../analysis/dockerfile/index.js';
import { formatMisconfigTable, parseSeverities, sortFindings } from '../../analysis/misconfig/format.js';
import { TARGET_SUBCOMMANDS } from './scan/index.js';
import { REPORT_WRITERS } from '../../report/index.js';
import { dockerfileReport } from '../../scan/index.js';

/**
 * `portcullis scan <target>`: one subcommand per target kind. Each entry below adds one
 * subcommand to the `scan` group (image, fs, rootfs and sbom are added beside dockerfile).
 */
export const SCAN_SUBCOMMANDS: ((scan: Command) => void)[] = [...TARGET_SUBCOMMANDS, registerScanDockerfile];

export function registerScan(program: Command): void {
  const scan = program.command('scan').description('scan an image, a filesystem, an SBOM or a Dockerfile for security problems');
  for (const register of SCAN_SUBCOMMANDS) register(scan);
}

/** Options every scan subcommand shares. */
export interface CommonScanOptions {
  format: string;
  severity?: string;
  exitCode: string;
}

export function addCommonScanOptions(cmd: Command, formats: readonly string[]): Command {
  return cmd
    .option('-f, --format <format>', `output format (${formats.join(', ')})`, formats[0])
    .option('-s, --severity <list>', 'only report these severities (comma-separated: CRITICAL,HIGH,MEDIUM,LOW,UNKNOWN)')
    .option('--exit-code <n>', 'exit with this code when findings are reported', '0');
}

function fail(message: string): never {
  console.error(`portcullis scan: ${message}`);
  process.exit(2);
}

function registerScanDockerfile(scan: Command): void {
  const formats = ['table', 'json', 'sarif'] as const;
  addCommonScanOptions(
    scan.command('dockerfile').description('lint a Dockerfile (CIS Docker Benchmark / NIST SP 800-190 practices)').argument('<file>', 'the Dockerfile'),
    formats,
  ).action(async (file: string, opts: CommonScanOptions) => {
    if (!(formats as readonly string[]).includes(opts.format)) fail(`unknown format ${opts.format}; use ${formats.join(', ')}`);
    const exitCode = Number(opts.exitCode);
    if (!Number.isInteger(exitCode) || exitCode < 0 || exitCode > 255) fail(`--exit-code must be an integer from 0 to 255`);
    let severities: string[] | undefined;
    try {
      severities = opts.severity === undefined ? undefined : parseSeverities(opts.severity);
    } catch (err) {
      fail((err as Error).message);
    }
    let content: string;
    try {
      content = await readFile(file, 'utf8');
    } catch (err) {
      fail(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    const findings = sortFindings(lintDockerfile(content, { path: file }).filter((f) => !severities || severities.includes(f.severity)));
    let out: string;
    if (opts.format === 'json') out = `${JSON.stringify({ target: file, type: 'dockerfile', findings }, null, 2)}\n`;
    // SARIF carries the line regions, for code scanning annotations on the Dockerfile itself.
    else if (opts.format === 'sarif') out = REPORT_WRITERS.sarif(dockerfileReport(file, findings), {});
    else out = formatMisconfigTable(file, findings);
    process.stdout.write(out);
    if (findings.length > 0 && exitCode !== 0) process.exitCode = exitCode;
  });
}
