import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { addRegistryOptions, clientForReference, type RegistryCliOptions } from '../../image/client/cli-options.js';
import { readSigningKey } from '../../signing/keyfiles.js';
import { attestRemote } from '../../signing/remote.js';

export function registerAttest(program: Command): void {
  addRegistryOptions(
    program
      .command('attest')
      .description('attach a signed in-toto attestation to an image (Sigstore bundle referrer and the .att tag)')
      .argument('<ref>', 'image reference')
      .requiredOption('--predicate <file>', 'predicate document (JSON; any text for custom)')
      .requiredOption('--type <type>', 'cyclonedx | vuln | custom | spdxjson | a predicate type URI')
      .requiredOption('--key <file>', 'private key (cosign.key)')
      .option('--no-tag-layout', 'do not write the sha256-<hex>.att tag for older clients'),
  ).action(async (reference: string, opts: RegistryCliOptions & { predicate: string; type: string; key: string; tagLayout: boolean }) => {
    const predicate = await readFile(opts.predicate);
    const privateKey = await readSigningKey(opts.key);
    const { client, ref } = await clientForReference(reference, opts);
    try {
      const r = await attestRemote(client, ref, privateKey, { type: opts.type, predicate, tagLayout: opts.tagLayout });
      process.stdout.write(`Attested ${r.image.identity}@${r.image.digest} (${r.predicateType})\n  bundle referrer: ${r.bundleManifest}\n`);
      if (r.attestationManifest) process.stdout.write(`  .att manifest: ${r.attestationManifest}\n`);
    } finally {
      await client.close();
    }
  });
}
