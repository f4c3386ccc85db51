import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryClient } from '../image/client/client.js';
import { parseReference } from '../image/client/reference.js';
import { MediaType } from '../image/mediatypes.js';
import { startTestServer, type TestServer } from '../testing/server.js';
import { generateKeyPair } from './keys.js';
import { attestRemote, signRemote } from './remote.js';
import { verifyAttestationsRemote, verifyRemote } from './remote-verify.js';
import { trustKeys } from './verify.js';
import { oneLayerManifest } from '../testing/tiny-image.js';

/** Signing against Portcullis itself, which has the OCI 1.1 referrers API (no tag fallback needed). */

describe('sign, attest and verify against the Portcullis registry', () => {
  let srv: TestServer;
  let client: RegistryClient;
  const keys = generateKeyPair();

  beforeAll(async () => {
    srv = await startTestServer();
    client = new RegistryClient({ registry: srv.hostPort });
  });
  afterAll(async () => {
    await client?.close();
    await srv?.stop();
  });

  it('attaches bundles through the referrers API and verifies them', async () => {
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }));
    const layer = Buffer.from('portcullis layer');
    await client.uploadBlob('team/app', config);
    await client.uploadBlob('team/app', layer);
    const manifest = oneLayerManifest(config, layer);
    await client.putManifest('team/app', 'v1', manifest, MediaType.OciManifest);
    const ref = parseReference(`${srv.hostPort}/team/app:v1`);

    const signed = await signRemote(client, ref, keys.privateKey, { bundle: true });
    expect(signed.bundleUsedTagFallback).toBe(false);
    const attested = await attestRemote(client, ref, keys.privateKey, { type: 'vuln', predicate: Buffer.from('{"scanner":{"uri":"portcullis"}}') });
    expect((await client.listReferrers('team/app', signed.image.digest)).source).toBe('api');

    const v = await verifyRemote(client, ref, trustKeys([keys.publicKey]));
    expect(v.findings.map((f) => f.ok)).toEqual([true, true]);
    const a = await verifyAttestationsRemote(client, ref, trustKeys([keys.publicKey]), { predicateType: attested.predicateType });
    expect(a.findings.map((f) => f.ok)).toEqual([true, true]);
    expect((await verifyRemote(client, ref, trustKeys([generateKeyPair().publicKey]))).verified).toBe(false);
  });
});
