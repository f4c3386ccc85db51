import { Option, type Command } from 'commander';
import { REPORT_FORMATS } from '../../../report/index.js';

/** Options of `scan image|fs|rootfs|sbom`; every one is also PORTCULLIS_SCAN_<FLAG> (flags win). */
export interface TargetScanOptions {
  format: string;
  output?: string;
  severity?: string;
  exitCode: string;
  ignoreUnfixed?: boolean;
  ignorefile?: string;
  secretConfig?: string;
  vex?: string[];
  scanners?: string;
  quiet?: boolean;
  progress: boolean;
  offline?: boolean;
  cacheDir?: string;
  platform?: string;
}

/** `--exit-code` → PORTCULLIS_SCAN_EXIT_CODE. */
export function envName(flag: string): string {
  return `PORTCULLIS_SCAN_${flag.replace(/^--/, '').replace(/-/g, '_').toUpperCase()}`;
}

function opt(flags: string, description: string, long: string): Option {
  return new Option(flags, description).env(envName(long));
}

export const EXIT_CODES_HELP = `
Exit codes:
  0  scan completed and no finding remains after the filters (or --exit-code 0)
  N  the value of --exit-code, when at least one finding remains after the filters
  1  unexpected internal error
  2  usage or input error (bad flag, unreadable image/directory/SBOM/ignore file/VEX,
     a network source with --offline)
  3  vulnerability database missing in the cache directory (run "portcullis db update",
     or "portcullis db import PATH" on an air-gapped machine), or unreadable

Every flag can also be set as an environment variable PORTCULLIS_SCAN_<FLAG>
(e.g. PORTCULLIS_SCAN_SEVERITY=CRITICAL,HIGH, PORTCULLIS_SCAN_EXIT_CODE=1,
PORTCULLIS_SCAN_IGNORE_UNFIXED=true); a flag on the command line wins.
The cache directory defaults to PORTCULLIS_CACHE_DIR, else ~/.cache/portcullis.`;

export function addTargetScanOptions(cmd: Command, opts: { scanners: boolean; platform: boolean }): Command {
  cmd
    .addOption(opt('-f, --format <format>', `output format (${REPORT_FORMATS.join(', ')})`, 'format').default('table'))
    .addOption(opt('-o, --output <file>', 'write the report to FILE instead of standard output', 'output'))
    .addOption(opt('-s, --severity <list>', 'only report these severities (comma-separated: CRITICAL,HIGH,MEDIUM,LOW,NEGLIGIBLE,UNKNOWN)', 'severity'))
    .addOption(opt('--exit-code <n>', 'exit with N when findings remain after the filters', 'exit-code').default('0'))
    .addOption(opt('--ignore-unfixed', 'drop vulnerabilities that have no fixed version', 'ignore-unfixed'))
    .addOption(opt('--ignorefile <file>', '.trivyignore-format file, or portcullis-ignore.yaml (ids, paths, purls, expiry, justification)', 'ignorefile'))
    .addOption(opt('--secret-config <file>', 'secret rules: extra rules, disabled rules, allow lists (default ./portcullis-secret.yaml when present)', 'secret-config'))
    .addOption(
      opt('--vex <file>', 'OpenVEX document: not_affected/fixed statements suppress findings (repeatable)', 'vex').argParser((v: string, prev: string[] | undefined) => [
        ...(prev ?? []),
        v,
      ]),
    )
    .addOption(opt('-q, --quiet', 'no progress and no warnings on standard error', 'quiet'))
    .addOption(opt('--no-progress', 'no progress bar (it is only shown on a terminal and never when CI is set)', 'no-progress'))
    .addOption(opt('--offline', 'never use the network (remote images are refused; the DB must already be in the cache dir)', 'offline'))
    .addOption(opt('--cache-dir <dir>', 'cache directory: vulnerability DB and layer cache (default PORTCULLIS_CACHE_DIR or ~/.cache/portcullis)', 'cache-dir'));
  if (opts.scanners) cmd.addOption(opt('--scanners <list>', 'what to look for: vuln,secret,misconfig (default all)', 'scanners'));
  if (opts.platform) cmd.addOption(opt('--platform <os/arch[/variant]>', 'platform to pick from a multi-platform image (default linux/amd64)', 'platform'));
  return cmd.addHelpText('after', EXIT_CODES_HELP);
}
