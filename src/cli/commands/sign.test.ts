import { captureCli, runCli } from '../../testing/cli.js';
import { pushOneLayerImage } from '../../testing/tiny-image.js';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryClient } from '../../image/client/client.js';
import { hasDockerRegistry, hasHtpasswd, startDockerRegistry, type ReferenceRegistry } from '../../image/client/testing/reference-registry.js';
import { parseManifest } from '../../image/manifest.js';
import { MediaType } from '../../image/mediatypes.js';
import { buildCosignManifest, cosignTag } from '../../signing/simplesigning.js';
import type { VerifyReport } from '../../signing/remote-verify.js';
import { registerAttest } from './attest.js';
import { registerKey } from './key.js';
import { registerSign } from './sign.js';
import { registerVerify, registerVerifyAttestation } from './verify.js';

/** key generate → sign → verify → attest → verify-attestation, end to end against docker-registry 2.8. */

const COMMANDS = [registerKey, registerSign, registerVerify, registerAttest, registerVerifyAttestation];
const run = (...args: string[]): Promise<string> => runCli(COMMANDS, args);

/** Runs a command expected to fail; returns its message and what it printed. */
async function runFailing(...args: string[]): Promise<{ error: string; out: string }> {
  const program = new Command('portcullis');
  for (const r of COMMANDS) r(program);
  const { error, out } = await captureCli(program, args);
  if (!error) throw new Error(`expected failure, got:\n${out}`);
  return { error: error.message, out };
}

async function pushImage(client: RegistryClient, repo: string, tag: string, seed: string): Promise<string> {
  return pushOneLayerImage(client, repo, tag, Buffer.from(`tiny layer ${seed}`), {
    config: { architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, seed },
  });
}

describe.skipIf(!hasDockerRegistry || !hasHtpasswd)('sign / verify / attest CLI against docker-registry 2.8', () => {
  let reg: ReferenceRegistry;
  let client: RegistryClient;
  let dir: string;
  const saved = { ...process.env };
  const auth = ['--username', 'signer'];

  beforeAll(async () => {
    reg = await startDockerRegistry({ users: { signer: 'registry-pw' } });
    client = new RegistryClient({ registry: reg.host, credentials: { username: 'signer', password: 'registry-pw' } });
    dir = await mkdtemp(join(tmpdir(), 'portcullis-sign-e2e-'));
    process.env.PORTCULLIS_PASSWORD = 'key-password';
    process.env.PORTCULLIS_REGISTRY_PASSWORD = 'registry-pw';
    process.env.DOCKER_CONFIG = dir; // no stray credentials from the machine
  });
  afterAll(async () => {
    process.env = saved;
    await client?.close();
    await reg?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('generates keys, signs with a bundle, verifies; another key fails', async () => {
    const prefix = join(dir, 'cosign');
    expect(await run('key', 'generate', '--output-key-prefix', prefix)).toContain(`${prefix}.key`);
    expect((await readFile(`${prefix}.key`, 'utf8')).startsWith('-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----')).toBe(true);
    expect((await stat(`${prefix}.key`)).mode & 0o777).toBe(0o600);
    await expect(run('key', 'generate', '--output-key-prefix', prefix)).rejects.toThrow(/exists/);
    await run('key', 'generate', '--output-key-prefix', join(dir, 'other'));

    const digest = await pushImage(client, 'team/app', 'v1', 'one');
    const ref = `${reg.host}/team/app:v1`;
    const signed = await run('sign', ref, '--key', `${prefix}.key`, '--bundle', '-a', 'ci=yes', ...auth);
    expect(signed).toContain(digest);
    expect(await client.listTags('team/app')).toEqual(expect.arrayContaining([cosignTag(digest, 'sig'), `sha256-${digest.slice(7)}`]));

    const report = JSON.parse(await run('verify', ref, '--key', `${prefix}.pub`, '-o', 'json', ...auth)) as VerifyReport;
    expect(report.verified).toBe(true);
    expect(report.findings.map((f) => [f.source.split(' ')[0], f.ok])).toEqual([
      [cosignTag(digest, 'sig'), true],
      ['referrer', true],
    ]);

    const wrong = await runFailing('verify', ref, '--key', join(dir, 'other.pub'), ...auth);
    expect(wrong.error).toMatch(/no valid signatures/);
    expect(wrong.out).toContain('signature-invalid');
    expect(wrong.out).toContain('unknown-key');
    process.env.PORTCULLIS_PASSWORD = 'not-the-password';
    await expect(run('sign', ref, '--key', `${prefix}.key`, ...auth)).rejects.toThrow(/wrong password/);
    process.env.PORTCULLIS_PASSWORD = 'key-password';
  });

  it('detects a tampered payload and a signature moved from another image', async () => {
    const prefix = join(dir, 'cosign');
    const a = await pushImage(client, 'team/tamper', 'a', 'a');
    const b = await pushImage(client, 'team/tamper', 'b', 'b');
    await run('sign', `${reg.host}/team/tamper:a`, '--key', `${prefix}.key`, ...auth);
    await run('sign', `${reg.host}/team/tamper:b`, '--key', `${prefix}.key`, ...auth);
    await run('verify', `${reg.host}/team/tamper:a`, '--key', `${prefix}.pub`, ...auth);

    // Replace a's signature payload with an altered one, keeping the signature annotation.
    const sigA = parseManifest((await client.getManifest('team/tamper', cosignTag(a, 'sig'))).bytes).manifest as { layers: { digest: string; annotations: Record<string, string> }[] };
    const layerA = sigA.layers[0]!;
    const payload = await client.getBlobBytes('team/tamper', layerA.digest);
    const altered = Buffer.from(payload.toString().replace('team/tamper', 'team/evil'));
    const forged = buildCosignManifest(undefined, [{ blob: altered, mediaType: MediaType.CosignSimpleSigning, annotations: layerA.annotations }]);
    for (const blob of [...forged.blobs, forged.config]) await client.uploadBlob('team/tamper', blob);
    await client.putManifest('team/tamper', cosignTag(a, 'sig'), forged.manifest, MediaType.OciManifest);
    const t1 = await runFailing('verify', `${reg.host}/team/tamper:a`, '--key', `${prefix}.pub`, ...auth);
    expect(t1.out).toContain('signature-invalid');

    // Put b's genuine signature under a's tag: valid signature, wrong image.
    const sigB = await client.getManifest('team/tamper', cosignTag(b, 'sig'));
    await client.putManifest('team/tamper', cosignTag(a, 'sig'), sigB.bytes, MediaType.OciManifest);
    const t2 = await runFailing('verify', `${reg.host}/team/tamper@${a}`, '--key', `${prefix}.pub`, ...auth);
    expect(t2.out).toContain('digest-mismatch');

    const none = await runFailing('verify', `${reg.host}/team/app:v1`, '--key', `${prefix}.pub`, '--identity', 'elsewhere/app', ...auth);
    expect(none.out).toContain('reference-mismatch');
  });

  it('attests a CycloneDX predicate and verifies it by type', async () => {
    const prefix = join(dir, 'cosign');
    const digest = await pushImage(client, 'team/att', 'v1', 'att');
    const ref = `${reg.host}/team/att:v1`;
    const sbom = join(dir, 'sbom.json');
    await writeFile(sbom, JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.6', components: [{ name: 'openssl', version: '3.0.0' }] }));
    const out = await run('attest', ref, '--predicate', sbom, '--type', 'cyclonedx', '--key', `${prefix}.key`, ...auth);
    expect(out).toContain('https://cyclonedx.org/bom');
    expect(await client.listTags('team/att')).toContain(cosignTag(digest, 'att'));

    const rep = JSON.parse(await run('verify-attestation', ref, '--key', `${prefix}.pub`, '--type', 'cyclonedx', '-o', 'json', ...auth)) as VerifyReport;
    expect(rep.verified).toBe(true);
    expect(rep.findings).toHaveLength(2); // .att layer and the bundle referrer
    expect(rep.findings.every((f) => f.ok && f.statement?.predicate && (f.statement.predicate as { bomFormat: string }).bomFormat === 'CycloneDX')).toBe(true);

    const vuln = await runFailing('verify-attestation', ref, '--key', `${prefix}.pub`, '--type', 'vuln', ...auth);
    expect(vuln.out).toContain('none found');
    const other = await runFailing('verify-attestation', ref, '--key', join(dir, 'other.pub'), '--type', 'cyclonedx', ...auth);
    expect(other.out).toContain('unknown-key');
    // The image is not "signed" by an attestation.
    await expect(run('verify', ref, '--key', `${prefix}.pub`, ...auth)).rejects.toThrow(/no valid signatures/);
  });
});
