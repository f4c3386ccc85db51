import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { RegistryClient, defaultCredentials } from './client.js';
import { parseReference, type ImageReference } from './reference.js';

/** Registry connection options shared by every CLI command that talks to a registry. */

export interface RegistryCliOptions {
  insecure?: boolean;
  username?: string;
  caCert?: string;
}

export function addRegistryOptions(cmd: Command): Command {
  return cmd
    .option('--insecure', 'allow plain HTTP and unverified TLS to a non-loopback registry')
    .option('--username <user>', 'registry user (password from PORTCULLIS_REGISTRY_PASSWORD); default: docker config')
    .option('--ca-cert <file>', 'extra CA certificate (PEM) for the registry');
}

/** A client for the reference's registry; the caller closes it. */
export async function clientForReference(reference: string, opts: RegistryCliOptions, env: NodeJS.ProcessEnv = process.env): Promise<{ client: RegistryClient; ref: ImageReference }> {
  const ref = parseReference(reference);
  let explicit;
  if (opts.username !== undefined) {
    const password = env.PORTCULLIS_REGISTRY_PASSWORD;
    if (password === undefined) throw new Error('--username needs the password in PORTCULLIS_REGISTRY_PASSWORD');
    explicit = { registry: ref.registry, credentials: { username: opts.username, password } };
  }
  const client = new RegistryClient({
    registry: ref.registry,
    credentials: defaultCredentials(explicit),
    ...(opts.insecure ? { insecure: true } : {}),
    ...(opts.caCert ? { ca: await readFile(opts.caCert) } : {}),
  });
  return { client, ref };
}
