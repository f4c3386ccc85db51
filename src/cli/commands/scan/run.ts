import { SecretConfigError, loadSecretConfig, type SecretConfig } from '../../../analysis/secrets/index.js';
import { existsSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { FeedFormatError } from '../../../vulndb/importers/index.js';
import { openImageSource, parseSourceRef, SourceError } from '../../../image/sources/index.js';
import { isReportFormat, REPORT_FORMATS, REPORT_WRITERS } from '../../../report/index.js';
import {
  IgnoreFileError,
  loadIgnoreFile,
  loadVex,
  mergeVex,
  parseSeverityList,
  SbomInputError,
  scanFs,
  scanImage,
  scanRootfs,
  scanSbom,
  SCANNERS,
  VexError,
  VulnDbMissingError,
  type ScanFilters,
  type ScannerName,
  type ScanOptions,
  type ScanReport,
} from '../../../scan/index.js';
import type { TargetScanOptions } from './options.js';
import { progressReporter } from './progress.js';

export type ScanTarget = 'image' | 'fs' | 'rootfs' | 'sbom';

/** An error that ends the command with a documented exit code. */
export class ScanExit extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}

const usage = (m: string): ScanExit => new ScanExit(m, 2);

/** Like Trivy's trivy-secret.yaml: picked up from the working directory when present. */
const DEFAULT_SECRET_CONFIG = 'portcullis-secret.yaml';

function parseScanners(list: string | undefined): ScannerName[] {
  if (list === undefined) return [...SCANNERS];
  const out = list.split(',').map((s) => s.trim().toLowerCase()).filter((s) => s.length > 0);
  const bad = out.filter((s) => !(SCANNERS as readonly string[]).includes(s));
  if (bad.length > 0) throw usage(`unknown scanner ${bad.join(', ')}; use ${SCANNERS.join(', ')}`);
  return out as ScannerName[];
}

function parseExitCode(s: string): number {
  const n = Number(s);
  if (!/^\d+$/.test(s.trim()) || !Number.isInteger(n) || n < 0 || n > 255) throw usage(`--exit-code must be an integer from 0 to 255 (got "${s}")`);
  return n;
}

async function filtersFrom(opts: TargetScanOptions): Promise<ScanFilters> {
  const f: ScanFilters = {};
  if (opts.severity !== undefined) {
    try {
      f.severities = parseSeverityList(opts.severity);
    } catch (err) {
      throw usage((err as Error).message);
    }
  }
  if (opts.ignoreUnfixed) f.ignoreUnfixed = true;
  if (opts.ignorefile) f.ignore = await loadIgnoreFile(opts.ignorefile);
  const vexFiles = Array.isArray(opts.vex) ? opts.vex : opts.vex ? [String(opts.vex)] : [];
  if (vexFiles.length > 0) f.vex = mergeVex(...(await Promise.all(vexFiles.map(loadVex))));
  return f;
}

async function produce(target: ScanTarget, input: string, opts: TargetScanOptions, scanOpts: ScanOptions): Promise<ScanReport> {
  switch (target) {
    case 'fs':
      return scanFs(input, scanOpts);
    case 'rootfs':
      return scanRootfs(input, scanOpts);
    case 'sbom':
      return scanSbom(input, scanOpts);
    case 'image': {
      const ref = parseSourceRef(input);
      if (opts.offline && (ref.kind === 'docker' || (ref.kind === 'auto' && !existsSync(ref.path))))
        throw usage(`${input} is a registry image; --offline never uses the network (use oci:, oci-archive: or docker-archive:)`);
      const source = await openImageSource(input, opts.platform ? { platform: opts.platform } : {});
      try {
        return await scanImage(source, scanOpts);
      } finally {
        await source.close();
      }
    }
  }
}

async function writeOutput(text: string, file: string | undefined): Promise<void> {
  if (!file) {
    process.stdout.write(text);
    return;
  }
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, file);
}

/** Runs one scan command; returns the exit code (0, --exit-code, or throws ScanExit). */
export async function runScan(target: ScanTarget, input: string, opts: TargetScanOptions): Promise<number> {
  if (!isReportFormat(opts.format)) throw usage(`unknown format ${opts.format}; use ${REPORT_FORMATS.join(', ')}`);
  const exitCode = parseExitCode(opts.exitCode);
  const scanners = target === 'sbom' ? (['vuln'] as ScannerName[]) : parseScanners(opts.scanners);
  let filters: ScanFilters;
  try {
    filters = await filtersFrom(opts);
  } catch (err) {
    if (err instanceof IgnoreFileError || err instanceof VexError) throw usage(err.message);
    throw err;
  }
  let secretConfig: SecretConfig | undefined;
  const secretFile = opts.secretConfig ?? (existsSync(DEFAULT_SECRET_CONFIG) ? DEFAULT_SECRET_CONFIG : undefined);
  if (secretFile && scanners.includes('secret')) {
    try {
      secretConfig = await loadSecretConfig(secretFile);
    } catch (err) {
      if (err instanceof SecretConfigError) throw usage(err.message);
      throw usage(`cannot read ${secretFile}: ${(err as Error).message}`);
    }
  }
  const progress = progressReporter(!opts.quiet && opts.progress !== false);
  let report: ScanReport;
  try {
    report = await produce(target, input, opts, {
      scanners,
      filters,
      ...(secretConfig ? { secretConfig } : {}),
      ...(opts.cacheDir ? { cacheDir: opts.cacheDir } : {}),
      ...(progress.onProgress ? { onProgress: progress.onProgress } : {}),
    });
  } catch (err) {
    if (err instanceof ScanExit) throw err;
    if (err instanceof VulnDbMissingError) throw new ScanExit(err.message, 3);
    if (err instanceof SourceError || err instanceof SbomInputError || err instanceof FeedFormatError) throw usage(err.message);
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EACCES' || code === 'ENOTDIR') throw usage((err as Error).message);
    throw err;
  } finally {
    progress.stop();
  }
  const color = opts.format === 'table' && !opts.output && process.stdout.isTTY === true && !process.env.NO_COLOR;
  await writeOutput(REPORT_WRITERS[opts.format](report, { color }), opts.output);
  if (!opts.quiet && report.warnings.length > 0 && opts.format !== 'table') {
    process.stderr.write(`portcullis scan: ${report.warnings.length} warning(s); see the report's "warnings"\n`);
  }
  return report.totals.findings > 0 ? exitCode : 0;
}
