import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { stringify as toYaml } from 'yaml';
import { PolicyError, parsePolicy } from '../../policy/parse.js';
import { formatPolicyTest, testPolicy } from '../../policy/test-image.js';
import { ApiClientError, USERNAME_HELP } from '../../server/api/client.js';
import { PolicyApiClient, connectionFrom, type ConnectionOptions, type PolicyView } from '../../server/api/policy-client.js';
import { SourceError } from '../../image/sources/index.js';
import { VulnDbMissingError } from '../../scan/db.js';
import { SCANNERS, type ScannerName } from '../../scan/types.js';

/** Exit status for an invalid policy (as `portcullis scan` uses 2 for bad input). */
const EXIT_INVALID = 2;

export function policyClient(cmd: Command): PolicyApiClient {
  return PolicyApiClient.connect(connectionFrom(cmd.optsWithGlobals<ConnectionOptions>()));
}

export function addConnectionOptions(cmd: Command): Command {
  return cmd
    .option('--server <url>', 'server URL (also PORTCULLIS_SERVER)')
    .option('--username <name>', USERNAME_HELP);
}

const isFsError = (err: Error): boolean => typeof (err as NodeJS.ErrnoException).code === 'string' && typeof (err as NodeJS.ErrnoException).syscall === 'string';

/** Runs an action; API and input errors become one line on stderr and a non-zero exit status. */
export function run<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (err) {
      if (err instanceof PolicyError) {
        process.stderr.write(`error: ${err.message}\n`);
        process.exitCode = EXIT_INVALID;
      } else if (err instanceof ApiClientError) {
        process.stderr.write(`error: ${err.message}\n`);
        process.exitCode = err.status === 400 ? EXIT_INVALID : 1;
      } else if (err instanceof Error && (err.name === 'TypeError' || err instanceof SourceError || err instanceof VulnDbMissingError || isFsError(err))) {
        // fetch failures (server unreachable), unreadable images, no vulnerability DB, missing files
        const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
        process.stderr.write(`error: ${err.message}${cause}\n`);
        process.exitCode = 1;
      } else throw err;
    }
  };
}

const readText = async (file: string): Promise<string> => {
  if (file !== '-') return readFile(file, 'utf8');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

/** YAML that `policy set` takes back: a comment saying where it comes from, then the document. */
export function policyYaml(v: PolicyView): string {
  const from =
    v.origin === 'default'
      ? 'the server default (no policy set)'
      : `${v.origin === 'system' ? 'the system policy' : `project ${v.project ?? ''}`}, version ${v.version ?? '?'} by ${v.author ?? '?'} at ${v.created_at ?? '?'}`;
  const inherited = v.project !== null && v.origin !== 'project' ? ` (inherited by project ${v.project})` : '';
  return `# ${from}${inherited}\n${v.source ?? toYaml(v.policy)}`;
}

function parseScanners(list: string): ScannerName[] {
  const names = list.split(',').map((s) => s.trim()).filter(Boolean);
  for (const n of names) if (!(SCANNERS as readonly string[]).includes(n)) throw new PolicyError(`unknown scanner "${n}" (choose from ${SCANNERS.join(', ')})`);
  return names as ScannerName[];
}

export function registerPolicy(program: Command): void {
  const policy = addConnectionOptions(program.command('policy').description('project policies: set, get, history, validate and test'));

  policy
    .command('set <project> <file>')
    .description('store FILE (YAML or JSON; - for standard input) as the next version of the policy of PROJECT')
    .action(run(async (project: string, file: string, _opts: unknown, cmd: Command) => {
      const text = await readText(file);
      parsePolicy(text); // field-level errors before anything is sent
      const v = await policyClient(cmd).set(project, text);
      process.stdout.write(`stored version ${v.version ?? '?'} of the policy of ${project}\n`);
    }));

  policy
    .command('get <project>')
    .description("print the project's effective policy (its own, else the system policy)")
    // Not --version: the program's own --version is recognised after subcommands too.
    .option('-v, --policy-version <n>', 'a stored version instead of the latest')
    .option('--json', 'print the API answer as JSON')
    .action(run(async (project: string, opts: { policyVersion?: string; json?: boolean }, cmd: Command) => {
      let version: number | undefined;
      if (opts.policyVersion !== undefined) {
        version = Number(opts.policyVersion);
        if (!Number.isInteger(version) || version < 1) throw new PolicyError('--policy-version must be a positive integer');
      }
      const v = await policyClient(cmd).get(project, version);
      process.stdout.write(opts.json ? `${JSON.stringify(v, null, 2)}\n` : policyYaml(v));
    }));

  policy
    .command('history <project>')
    .description('list the versions of the policy of PROJECT, newest first')
    .action(run(async (project: string, _opts: unknown, cmd: Command) => {
      const versions = await policyClient(cmd).history(project);
      if (versions.length === 0) {
        process.stdout.write(`no policy set for ${project}: it inherits the system policy\n`);
        return;
      }
      const rows = [['VERSION', 'AUTHOR', 'CREATED'], ...versions.map((v) => [String(v.version), v.author, v.created_at])];
      const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
      for (const r of rows) process.stdout.write(`${r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()}\n`);
    }));

  policy
    .command('set-system <file>')
    .description('store FILE as the next version of the system policy (inherited by projects without their own; system administrators)')
    .action(run(async (file: string, _opts: unknown, cmd: Command) => {
      const text = await readText(file);
      parsePolicy(text);
      const v = await policyClient(cmd).setSystem(text);
      process.stdout.write(`stored version ${v.version ?? '?'} of the system policy\n`);
    }));

  policy
    .command('get-system')
    .description('print the system policy (the stored one, else the server configuration default)')
    .option('--json', 'print the API answer as JSON')
    .action(run(async (opts: { json?: boolean }, cmd: Command) => {
      const v = await policyClient(cmd).getSystem();
      process.stdout.write(opts.json ? `${JSON.stringify(v, null, 2)}\n` : policyYaml(v));
    }));

  policy
    .command('validate <file>')
    .description('check a policy file offline; exit status 2 and one line per problem when it is invalid')
    .action(run(async (file: string) => {
      const p = parsePolicy(await readText(file));
      const rules = (['push', 'pull'] as const).map((g) => `${g}: ${Object.keys(p[g]).join(', ') || 'no rules'}`);
      process.stdout.write(`valid policy (mode ${p.mode}; ${rules.join('; ')})\n`);
    }));

  policy
    .command('test <policy-file> <image>')
    .description('scan IMAGE (oci:DIR[:TAG], oci-archive:, docker-archive:, docker://REF) and show what the policy decides at push and pull; exit status 1 when a gate denies')
    .option('--scanners <list>', `scanners to run (${SCANNERS.join(',')})`, SCANNERS.join(','))
    .option('--cache-dir <dir>', 'vulnerability DB and layer cache directory (default PORTCULLIS_CACHE_DIR or ~/.cache/portcullis)')
    .option('--platform <os/arch>', 'platform to pick from a multi-platform image')
    .option('--json', 'print both decisions as JSON')
    .action(run(async (file: string, image: string, opts: { scanners: string; cacheDir?: string; platform?: string; json?: boolean }) => {
      const p = parsePolicy(await readText(file));
      const result = await testPolicy(p, image, {
        scan: { scanners: parseScanners(opts.scanners), ...(opts.cacheDir ? { cacheDir: opts.cacheDir } : {}) },
        source: opts.platform ? { platform: opts.platform } : {},
      });
      process.stdout.write(opts.json ? `${JSON.stringify({ image: result.image, digest: result.digest, push: result.push, pull: result.pull }, null, 2)}\n` : formatPolicyTest(result));
      if (!result.push.allowed || !result.pull.allowed) process.exitCode = 1;
    }));
}
