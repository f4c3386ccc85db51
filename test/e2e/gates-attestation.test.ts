import { pushOneLayerImage } from '../../src/testing/tiny-image.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Command } from 'commander';
import { pack } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerVerifyAttestation } from '../../src/cli/commands/verify.js';
import { RegistryClient } from '../../src/image/client/client.js';
import { parseReference } from '../../src/image/client/reference.js';
import { digestOf } from '../../src/image/digest.js';
import { MediaType } from '../../src/image/mediatypes.js';
import { DECISION_PREDICATE_TYPE, verifyGatePassed } from '../../src/signing/decision.js';
import { attestRemote, BUNDLE_V03_MEDIA_TYPE, generateKeyPair, loadPublicKey, signRemote, trustKeys } from '../../src/signing/index.js';
import { adminApi, startTestServer, type TestServer } from '../../src/testing/server.js';

/**
 * The registry's own signed word that an image passed its push gate (policy `attestDecision`),
 * checked offline with the public key the API publishes; and attachments listed under their image.
 */


let srv: TestServer;
let client: RegistryClient;
let work: string;
const saved = { ...process.env };

const api = (method: string, path: string, body?: unknown) => adminApi(srv, method, path, body);

async function tarOf(name: string, content: string): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  p.on('data', (c: unknown) => {
    chunks.push(c as Buffer);
  });
  const done = new Promise<void>((resolve, reject) => {
    p.on('end', resolve);
    p.on('error', reject);
  });
  p.entry({ name }, content);
  p.finalize();
  await done;
  return Buffer.concat(chunks);
}

async function pushImage(repo: string, tag: string): Promise<string> {
  const tar = await tarOf('etc/hello.txt', `hello from ${repo}:${tag}\n`);
  return pushOneLayerImage(client, repo, tag, gzipSync(tar), {
    layerMediaType: MediaType.OciLayerGzip,
    config: { architecture: 'amd64', os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: [digestOf(tar)] } },
  });
}

interface Referrer {
  digest: string;
  artifactType?: string;
  annotations?: Record<string, string>;
}

async function referrers(repo: string, digest: string): Promise<Referrer[]> {
  const res = await fetch(`${srv.url}/v2/${repo}/referrers/${digest}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { manifests: Referrer[] }).manifests;
}

async function blob(repo: string, digest: string): Promise<Buffer> {
  const res = await fetch(`${srv.url}/v2/${repo}/blobs/${digest}`);
  expect(res.status).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

/** The decision bundle attached to `digest`: the referrer's single layer. */
async function decisionBundle(repo: string, digest: string): Promise<Buffer | undefined> {
  const found = (await referrers(repo, digest)).find((r) => r.annotations?.['dev.sigstore.bundle.predicateType'] === DECISION_PREDICATE_TYPE);
  if (!found) return undefined;
  const res = await fetch(`${srv.url}/v2/${repo}/manifests/${found.digest}`, { headers: { accept: MediaType.OciManifest } });
  const manifest = (await res.json()) as { artifactType: string; layers: { digest: string }[]; subject: { digest: string } };
  expect(manifest.artifactType).toBe(BUNDLE_V03_MEDIA_TYPE);
  expect(manifest.subject.digest).toBe(digest);
  return blob(repo, manifest.layers[0]!.digest);
}

async function portcullis(...args: string[]): Promise<string> {
  const program = new Command('portcullis').exitOverride();
  registerVerifyAttestation(program);
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += chunk.toString();
    return true;
  });
  try {
    await program.parseAsync(['node', 'portcullis', ...args]);
  } finally {
    spy.mockRestore();
  }
  return out;
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'portcullis-gates-attestation-'));
  process.env.DOCKER_CONFIG = work; // no stray credentials from the machine
  // No vulnerability data in this cache: the push gate still decides (secrets, misconfigurations).
  srv = await startTestServer({ gates: { enabled: true, cacheDir: join(work, 'cache'), waitForAnalysis: 20 } });
  client = new RegistryClient({ registry: srv.hostPort });
  const policies: Record<string, unknown> = {
    attested: { version: 1, mode: 'enforce', push: { secrets: {} }, attestDecision: true },
    plain: { version: 1, mode: 'enforce', push: { secrets: {} } },
    // Images running as root are refused (PCS-IMG-001): the test images have no user.
    strict: { version: 1, mode: 'enforce', push: { misconfigurations: { deny: ['PCS-IMG-001'] } }, attestDecision: true },
  };
  for (const [name, policy] of Object.entries(policies)) {
    expect((await api('POST', '/projects', { name })).status).toBe(201);
    const set = await api('PUT', `/projects/${name}/policy`, policy);
    expect(set.status, set.text).toBe(200);
  }
}, 60_000);
afterAll(async () => {
  await client?.close();
  await srv?.stop();
  process.env = saved;
  await rm(work, { recursive: true, force: true });
});

describe('gate decision attestations', () => {
  it('publishes the server public key as PEM without authentication', async () => {
    const res = await fetch(`${srv.url}/api/v1/system/signing-key`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/pem/);
    expect(await res.text()).toMatch(/^-----BEGIN PUBLIC KEY-----\n[\s\S]+-----END PUBLIC KEY-----\n$/);
  });

  it('attaches a signed decision to an allowed push of an opted-in project, verifiable offline', async () => {
    const repo = 'attested/app';
    const digest = await pushImage(repo, 'v1');
    const bundle = await decisionBundle(repo, digest);
    expect(bundle).toBeDefined();
    const pem = await (await fetch(`${srv.url}/api/v1/system/signing-key`)).text();
    const keys = trustKeys([loadPublicKey(pem)]);
    const verdict = verifyGatePassed(bundle!, keys, digest, 'push');
    expect(verdict.ok, JSON.stringify(verdict)).toBe(true);
    if (verdict.ok) expect(verdict.value).toMatchObject({ gate: 'push', allowed: true, mode: 'enforce' });
    // Not about another image, not of the pull gate, not with another key.
    expect(verifyGatePassed(bundle!, keys, digestOf('another manifest'), 'push').ok).toBe(false);
    expect(verifyGatePassed(bundle!, keys, digest, 'pull').ok).toBe(false);
    expect(verifyGatePassed(bundle!, trustKeys([generateKeyPair().publicKey]), digest, 'push').ok).toBe(false);

    // The same check with the CLI, from the registry.
    const keyFile = join(work, 'server.pub');
    await writeFile(keyFile, pem);
    const out = await portcullis('verify-attestation', `${srv.hostPort}/${repo}@${digest}`, '--key', keyFile, '--type', DECISION_PREDICATE_TYPE, '-o', 'json');
    const report = JSON.parse(out) as { verified: boolean; findings: { ok: boolean }[] };
    expect(report.verified).toBe(true);
    expect(report.findings.some((f) => f.ok)).toBe(true);
  });

  it('attaches nothing for a project without attestDecision', async () => {
    const digest = await pushImage('plain/app', 'v1');
    expect(await referrers('plain/app', digest)).toEqual([]);
  });

  it('attaches nothing to a refused push', async () => {
    await expect(pushImage('strict/app', 'v1')).rejects.toThrow(/denied|PCS-IMG-001/i);
    const attested = await api('GET', '/projects/strict/repositories/app/artifacts');
    const list = JSON.parse(attested.text) as { digest: string; decision: { allowed: boolean }; attachments: unknown[] }[];
    expect(list).toHaveLength(1);
    expect(list[0]!.decision.allowed).toBe(false);
    expect(await referrers('strict/app', list[0]!.digest)).toEqual([]);
  });
});

describe('artifacts listing', () => {
  it('lists images only, each with its signatures and attestations', async () => {
    const repo = 'plain/listed';
    const digest = await pushImage(repo, 'v1');
    const ref = parseReference(`${srv.hostPort}/${repo}:v1`);
    const keys = generateKeyPair();
    await signRemote(client, ref, keys.privateKey); // cosign .sig tag
    await signRemote(client, ref, keys.privateKey, { bundle: true }); // bundle referrer
    await attestRemote(client, ref, keys.privateKey, { type: 'vuln', predicate: Buffer.from('{"scanner":{"uri":"portcullis"}}') });

    const res = await api('GET', `/projects/plain/repositories/listed/artifacts`);
    expect(res.status, res.text).toBe(200);
    const list = JSON.parse(res.text) as { digest: string; attachments: { digest: string; kind: string; artifactType?: string }[] }[];
    expect(list.map((a) => a.digest)).toEqual([digest]);
    const kinds = list[0]!.attachments.map((a) => a.kind).sort();
    // The .sig tag and the signature bundle; the attestation bundle and the .att tag of older clients.
    expect(kinds).toEqual(['attestation', 'attestation', 'signature', 'signature']);
    expect(new Set(list[0]!.attachments.map((a) => a.digest)).size).toBe(list[0]!.attachments.length);

    const attested = await api('GET', `/projects/attested/repositories/app/artifacts`);
    const withDecision = JSON.parse(attested.text) as { attachments: { kind: string; artifactType?: string }[] }[];
    expect(withDecision[0]!.attachments).toEqual([expect.objectContaining({ kind: 'attestation', artifactType: BUNDLE_V03_MEDIA_TYPE })]);
  });
});
