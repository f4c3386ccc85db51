import type { Command } from 'commander';
import { writeKeyPair } from '../../signing/keyfiles.js';

export function registerKey(program: Command): void {
  const key = program.command('key').description('signing keys (cosign-compatible)');
  key
    .command('generate')
    .description('generate an ECDSA P-256 key pair: <prefix>.key (encrypted, cosign format) and <prefix>.pub; password from PORTCULLIS_PASSWORD, COSIGN_PASSWORD or a prompt')
    .option('--output-key-prefix <prefix>', 'file name prefix', 'cosign')
    .option('--force', 'overwrite existing files')
    .action(async (opts: { outputKeyPrefix: string; force?: boolean }) => {
      const { keyPath, pubPath } = await writeKeyPair(opts.outputKeyPrefix, { force: opts.force === true });
      process.stdout.write(`Private key written to ${keyPath}\nPublic key written to ${pubPath}\n`);
    });
}
