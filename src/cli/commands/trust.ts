import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { addConnectionOptions, policyClient, run } from './policy.js';

export function registerTrust(program: Command): void {
  const trust = addConnectionOptions(program.command('trust').description("a project's trusted signing keys (what `requireSignature` verifies against)"));

  trust
    .command('add <project> <name>')
    .description('trust the public key in --key (PEM, ECDSA P-256) under NAME')
    .requiredOption('--key <file>', 'PEM public key (e.g. cosign.pub)')
    .action(run(async (project: string, name: string, opts: { key: string }, cmd: Command) => {
      const k = await policyClient(cmd).addKey(project, name, await readFile(opts.key, 'utf8'));
      process.stdout.write(`trusted key ${k.name} (${k.key_id}) in ${project}\n`);
    }));

  trust
    .command('list <project>')
    .action(run(async (project: string, _opts: unknown, cmd: Command) => {
      const keys = await policyClient(cmd).listKeys(project);
      const rows = [['NAME', 'KEY ID', 'ADDED BY', 'CREATED'], ...keys.map((k) => [k.name, k.key_id, k.added_by, k.created_at])];
      const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
      for (const r of rows) process.stdout.write(`${r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()}\n`);
    }));

  trust
    .command('remove <project> <name>')
    .action(run(async (project: string, name: string, _opts: unknown, cmd: Command) => {
      await policyClient(cmd).removeKey(project, name);
      process.stdout.write(`removed trusted key ${name} from ${project}\n`);
    }));
}
