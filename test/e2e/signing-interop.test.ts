import { runCli } from '../../src/testing/cli.js';
import { pushOneLayerImage } from '../../src/testing/tiny-image.js';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerKey } from '../../src/cli/commands/key.js';
import { registerSign } from '../../src/cli/commands/sign.js';
import { registerVerify } from '../../src/cli/commands/verify.js';
import { RegistryClient } from '../../src/image/client/client.js';
import { MediaType } from '../../src/image/mediatypes.js';
import { attachArtifactToImage } from '@sigstore/oci';
import { parseReference } from '../../src/image/client/reference.js';
import { inTotoStatement, predicateTypeFor, signStatement, subjectFor } from '../../src/signing/attest.js';
import { BUNDLE_V03_MEDIA_TYPE, bundleAnnotations, dsseBundle, serializeBundle } from '../../src/signing/bundle.js';
import { generateKeyPair } from '../../src/signing/keys.js';
import { cosignTag } from '../../src/signing/simplesigning.js';
import { verifyAttestationsRemote, type VerifyReport } from '../../src/signing/remote-verify.js';
import { trustKeys } from '../../src/signing/verify.js';
import { containersEnv, tool } from '../../src/testing/containers.js';
import { startTestServer, TEST_ADMIN_PASSWORD, type TestServer } from '../../src/testing/server.js';

/** Our signatures travel with images through other registry clients (real implementations, not our code). */

let work: string;
const saved = { ...process.env };

/** Runs the portcullis CLI in-process; returns what it printed, throws its error. */
const portcullis = (...args: string[]): Promise<string> => runCli([registerKey, registerSign, registerVerify], args);

const admin = { username: 'admin', password: TEST_ADMIN_PASSWORD };

async function pushImage(srv: TestServer, repo: string, tag: string, credentials?: typeof admin): Promise<string> {
  const client = new RegistryClient(credentials ? { registry: srv.hostPort, credentials } : { registry: srv.hostPort });
  try {
    // Compressed, as real layers are: c/image would otherwise compress an unsigned instance of an
    // index on the way, changing its digest (and then refuse to rewrite the signed index).
    return await pushOneLayerImage(client, repo, tag, gzipSync(`layer of ${repo}:${tag}`), { layerMediaType: MediaType.OciLayerGzip });
  } finally {
    await client.close();
  }
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'portcullis-signing-interop-'));
  process.env.PORTCULLIS_PASSWORD = 'key-password';
  process.env.DOCKER_CONFIG = work; // no stray credentials from the machine
  await portcullis('key', 'generate', '--output-key-prefix', join(work, 'cosign'));
});
afterAll(async () => {
  process.env = saved;
  await rm(work, { recursive: true, force: true });
});

describe('skopeo copy with use-sigstore-attachments', () => {
  let a: TestServer;
  let b: TestServer;
  let env: NodeJS.ProcessEnv;
  let attachments: string;
  let plain: string;
  const skopeo = (registriesD: string, ...args: string[]) => tool('skopeo', ['--registries.d', registriesD, ...args], env);

  beforeAll(async () => {
    env = await containersEnv(join(work, 'containers'));
    attachments = join(work, 'containers', 'registries.d');
    plain = join(work, 'containers', 'registries.d-plain');
    await mkdir(attachments, { recursive: true });
    await mkdir(plain, { recursive: true });
    await writeFile(join(attachments, 'default.yaml'), 'default-docker:\n  use-sigstore-attachments: true\n');
    a = await startTestServer();
    b = await startTestServer();
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
  });

  const verify = async (ref: string): Promise<VerifyReport> => JSON.parse(await portcullis('verify', ref, '--key', join(work, 'cosign.pub'), '-o', 'json')) as VerifyReport;

  it('carries a portcullis signature from one Portcullis to another and back', async () => {
    const digest = await pushImage(a, 'team/app', 'v1');
    await portcullis('sign', `${a.hostPort}/team/app:v1`, '--key', join(work, 'cosign.key'));

    await skopeo(attachments, 'copy', '-q', '--src-tls-verify=false', '--dest-tls-verify=false', `docker://${a.hostPort}/team/app:v1`, `docker://${b.hostPort}/mirror/app:v1`);
    const there = await verify(`${b.hostPort}/mirror/app:v1`);
    expect(there.image.digest).toBe(digest);
    expect(there.findings.map((f) => [f.source.split(' ')[0], f.ok])).toEqual([[cosignTag(digest, 'sig'), true]]);

    await skopeo(attachments, 'copy', '-q', '--src-tls-verify=false', '--dest-tls-verify=false', `docker://${b.hostPort}/mirror/app:v1`, `docker://${a.hostPort}/back/app:v1`);
    const back = await verify(`${a.hostPort}/back/app:v1`);
    expect(back.image.digest).toBe(digest);
    expect(back.verified).toBe(true);
  });

  it('skopeo copy --all carries the signature of a multi-platform index', async () => {
    const amd = await pushImage(a, 'team/multi', 'amd64');
    const arm = await pushImage(a, 'team/multi', 'arm64');
    const client = new RegistryClient({ registry: a.hostPort });
    let index: string;
    try {
      const get = async (d: string) => (await client.getManifest('team/multi', d)).bytes.length;
      const body = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: MediaType.OciIndex,
          manifests: [
            { mediaType: MediaType.OciManifest, digest: amd, size: await get(amd), platform: { architecture: 'amd64', os: 'linux' } },
            { mediaType: MediaType.OciManifest, digest: arm, size: await get(arm), platform: { architecture: 'arm64', os: 'linux' } },
          ],
        }),
      );
      index = (await client.putManifest('team/multi', 'v1', body, MediaType.OciIndex)).digest;
    } finally {
      await client.close();
    }
    await portcullis('sign', `${a.hostPort}/team/multi:v1`, '--key', join(work, 'cosign.key'));
    await portcullis('sign', `${a.hostPort}/team/multi@${amd}`, '--key', join(work, 'cosign.key'));

    await skopeo(attachments, 'copy', '-q', '--all', '--src-tls-verify=false', '--dest-tls-verify=false', `docker://${a.hostPort}/team/multi:v1`, `docker://${b.hostPort}/mirror/multi:v1`);
    const there = await verify(`${b.hostPort}/mirror/multi:v1`);
    expect(there.image.digest).toBe(index);
    expect(there.verified).toBe(true);
    expect((await verify(`${b.hostPort}/mirror/multi@${amd}`)).verified).toBe(true);
    await expect(verify(`${b.hostPort}/mirror/multi@${arm}`)).rejects.toThrow(/no valid signatures/);
  });

  it('without the option skopeo leaves the signature behind (so the option is what carries it)', async () => {
    const digest = await pushImage(a, 'team/other', 'v1');
    await portcullis('sign', `${a.hostPort}/team/other:v1`, '--key', join(work, 'cosign.key'));
    await skopeo(plain, 'copy', '-q', '--src-tls-verify=false', '--dest-tls-verify=false', `docker://${a.hostPort}/team/other:v1`, `docker://${b.hostPort}/mirror/other:v1`);
    const res = await fetch(`${b.url}/v2/mirror/other/manifests/${cosignTag(digest, 'sig')}`, { method: 'HEAD' });
    expect(res.status).toBe(404);
    await expect(verify(`${b.hostPort}/mirror/other:v1`)).rejects.toThrow(/no valid signatures/);
  });
});

describe('@sigstore/oci attaches an attestation to Portcullis with /v2 auth on', () => {
  let srv: TestServer;
  const keys = generateKeyPair();

  beforeAll(async () => {
    srv = await startTestServer({ auth: { enabled: true } });
  });
  afterAll(async () => {
    await srv?.stop();
  });

  it('signs in through the 401 challenge and lands the bundle as a referrer', async () => {
    const digest = await pushImage(srv, 'team/app', 'v1', admin);
    const identity = `${srv.hostPort}/team/app`;
    const predicateType = predicateTypeFor('vuln');
    const envelope = signStatement(inTotoStatement([subjectFor(identity, digest)], predicateType, { scanner: { uri: 'pkg:npm/@sigstore/oci' } }), keys.privateKey);
    const bundle = serializeBundle(dsseBundle(envelope, keys.privateKey));
    const options = { imageName: identity, imageDigest: digest, artifact: bundle, mediaType: BUNDLE_V03_MEDIA_TYPE, annotations: bundleAnnotations('dsse-envelope', predicateType) };

    // The probe really meets auth: a wrong password is refused.
    const refused = await attachArtifactToImage({ ...options, credentials: { username: 'admin', password: 'wrong' } }).then(
      () => undefined,
      (err: unknown) => err as { cause?: { statusCode?: number } },
    );
    expect(refused?.cause?.statusCode).toBe(401);

    const attached = await attachArtifactToImage({ ...options, credentials: admin });
    const client = new RegistryClient({ registry: srv.hostPort, credentials: admin });
    try {
      const referrers = await client.listReferrers('team/app', digest);
      expect(referrers.source).toBe('api');
      expect(referrers.manifests.map((m) => [m.digest, m.artifactType])).toEqual([[attached.digest, BUNDLE_V03_MEDIA_TYPE]]);
      // Portcullis answered the referrers ping, so no tag-schema fallback index was written.
      expect(await client.listTags('team/app')).toEqual(['v1']);
      const report = await verifyAttestationsRemote(client, parseReference(`${identity}:v1`), trustKeys([keys.publicKey]), { predicateType });
      expect(report.findings.map((f) => [f.source, f.ok])).toEqual([[`referrer ${attached.digest}`, true]]);
    } finally {
      await client.close();
    }
  });
});
