import type { Command } from 'commander';
import { addRegistryOptions, clientForReference, type RegistryCliOptions } from '../../image/client/cli-options.js';
import { predicateTypeFor } from '../../signing/attest.js';
import { readTrustedKeys } from '../../signing/keyfiles.js';
import { verifyAttestationsRemote, verifyRemote, type VerifyReport } from '../../signing/remote-verify.js';

interface VerifyCliOptions extends RegistryCliOptions {
  key: string[];
  output: string;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Prints the report; a report without a valid signature is an error (non-zero exit). */
function report(r: VerifyReport, what: string, output: string): void {
  if (output === 'json') process.stdout.write(JSON.stringify(r, null, 2) + '\n');
  else {
    process.stdout.write(`${what} for ${r.image.identity}@${r.image.digest}:\n`);
    if (r.findings.length === 0) process.stdout.write('  none found\n');
    for (const f of r.findings) {
      const extra = f.statement ? ` predicateType=${f.statement.predicateType}` : '';
      process.stdout.write(f.ok ? `  OK    ${f.source} (key ${f.keyId})${extra}\n` : `  FAIL  ${f.source}: ${f.reason}: ${f.message}\n`);
    }
  }
  if (!r.verified) throw new Error(`no valid ${what.toLowerCase()} with the given key(s) for ${r.image.identity}@${r.image.digest}`);
}

function withCommon(cmd: Command): Command {
  return addRegistryOptions(
    cmd
      .argument('<ref>', 'image reference')
      .requiredOption('--key <file>', 'trusted public key (cosign.pub); repeatable', collect, [])
      .option('-o, --output <format>', 'text | json', 'text'),
  );
}

export function registerVerify(program: Command): void {
  withCommon(program.command('verify').description('verify the signatures of an image (cosign .sig tag and Sigstore bundle referrers) against public keys'))
    .option('--identity <ref>', 'require the signed docker-reference to equal this')
    .action(async (reference: string, opts: VerifyCliOptions & { identity?: string }) => {
      const keys = await readTrustedKeys(opts.key);
      const { client, ref } = await clientForReference(reference, opts);
      try {
        const r = await verifyRemote(client, ref, keys, opts.identity === undefined ? {} : { identity: opts.identity });
        report(r, 'Signatures', opts.output);
      } finally {
        await client.close();
      }
    });
}

export function registerVerifyAttestation(program: Command): void {
  withCommon(program.command('verify-attestation').description('verify in-toto attestations of an image (bundle referrers and the .att tag) against public keys'))
    .option('--type <type>', 'cyclonedx | vuln | custom | spdxjson | a predicate type URI')
    .action(async (reference: string, opts: VerifyCliOptions & { type?: string }) => {
      const keys = await readTrustedKeys(opts.key);
      const { client, ref } = await clientForReference(reference, opts);
      try {
        const r = await verifyAttestationsRemote(client, ref, keys, opts.type === undefined ? {} : { predicateType: predicateTypeFor(opts.type) });
        report(r, 'Attestations', opts.output);
      } finally {
        await client.close();
      }
    });
}
