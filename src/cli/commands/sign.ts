import type { Command } from 'commander';
import { addRegistryOptions, clientForReference, type RegistryCliOptions } from '../../image/client/cli-options.js';
import { readSigningKey } from '../../signing/keyfiles.js';
import { signRemote } from '../../signing/remote.js';

function collectPair(value: string, previous: Record<string, string>): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new Error(`annotation "${value}" is not key=value`);
  return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) };
}

export function registerSign(program: Command): void {
  addRegistryOptions(
    program
      .command('sign')
      .description('sign an image in a registry (cosign layout: sha256-<hex>.sig; optionally a Sigstore bundle referrer)')
      .argument('<ref>', 'image reference (host/repo:tag or @digest)')
      .requiredOption('--key <file>', 'private key (cosign.key)')
      .option('--bundle', 'also attach a Sigstore bundle v0.3 as an OCI 1.1 referrer')
      .option('-a, --annotation <key=value>', 'claim for the payload\'s "optional" section (repeatable)', collectPair, {}),
  ).action(async (reference: string, opts: RegistryCliOptions & { key: string; bundle?: boolean; annotation: Record<string, string> }) => {
    const privateKey = await readSigningKey(opts.key);
    const { client, ref } = await clientForReference(reference, opts);
    try {
      const r = await signRemote(client, ref, privateKey, { bundle: opts.bundle === true, annotations: opts.annotation });
      process.stdout.write(`Signed ${r.image.identity}@${r.image.digest}\n  signature: ${r.image.identity}:${r.signatureTag} (${r.signatureManifest})\n`);
      if (r.bundleManifest) process.stdout.write(`  bundle referrer: ${r.bundleManifest}${r.bundleUsedTagFallback ? ' (referrers tag fallback)' : ''}\n`);
    } finally {
      await client.close();
    }
  });
}
