import { pushOneLayerImage } from '../testing/tiny-image.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryClient } from '../image/client/client.js';
import { parseReference } from '../image/client/reference.js';
import { digestOf } from '../image/digest.js';
import { parseManifest } from '../image/manifest.js';
import { MediaType } from '../image/mediatypes.js';
import { startTestServer, type TestServer } from '../testing/server.js';
import { keyId } from './bundle.js';
import { generateKeyPair } from './keys.js';
import { attestRemote, signRemote } from './remote.js';
import { cosignTag } from './simplesigning.js';
import { STORED_LIMITS, storedSignatureFindings, verifyStoredSignatures, type NamedKey } from './stored.js';

/** The pull gate's in-process check, against signatures pushed over HTTP by our own signing flow. */

describe('verifyStoredSignatures', () => {
  let srv: TestServer;
  let client: RegistryClient;
  const signer = generateKeyPair();
  const other = generateKeyPair();
  const named = (name: string, pair: ReturnType<typeof generateKeyPair>): NamedKey => ({ name, id: keyId(pair.publicKey), key: pair.publicKey });

  async function pushImage(repo: string, tag: string, content: string): Promise<string> {
    return pushOneLayerImage(client, repo, tag, Buffer.from(content));
  }

  beforeAll(async () => {
    srv = await startTestServer();
    client = new RegistryClient({ registry: srv.hostPort });
  });
  afterAll(async () => {
    await client?.close();
    await srv?.stop();
  });

  it('names the trusted key that signed (simple signing and bundle), and nothing for another key', async () => {
    const digest = await pushImage('team/signed', 'v1', 'signed layer');
    const ref = parseReference(`${srv.hostPort}/team/signed:v1`);
    await signRemote(client, ref, signer.privateKey, { bundle: true });
    // An attestation bundle is a referrer too, but not a signature: it must not count either way.
    await attestRemote(client, ref, signer.privateKey, { type: 'vuln', predicate: Buffer.from('{"scanner":{"uri":"x"}}') });

    const ok = await verifyStoredSignatures(srv.registry, 'team/signed', digest, [named('ci', signer), named('other', other)]);
    expect(ok).toEqual({ verifiedKeys: ['ci'], problems: [] });
    const findings = await storedSignatureFindings(srv.registry, 'team/signed', digest, [named('ci', signer)]);
    expect(findings.map((f) => [f.source.split(' ')[0], f.ok])).toEqual([
      [cosignTag(digest, 'sig'), true],
      ['referrer', true],
    ]);

    const wrong = await verifyStoredSignatures(srv.registry, 'team/signed', digest, [named('other', other)]);
    expect(wrong.verifiedKeys).toEqual([]);
    expect(wrong.problems).toHaveLength(2);
    expect(wrong.problems[0]).toMatch(/^sha256-[0-9a-f]{64}\.sig layer sha256:.*does not verify with any trusted key/);
    expect(wrong.problems[1]).toMatch(/^referrer sha256:.*not trusted/);

    expect(await verifyStoredSignatures(srv.registry, 'team/signed', digest, [])).toEqual({ verifiedKeys: [], problems: ['the project trusts no keys'] });
  });

  it('reports an unsigned image as "no signature"', async () => {
    const digest = await pushImage('team/unsigned', 'v1', 'unsigned layer');
    expect(await verifyStoredSignatures(srv.registry, 'team/unsigned', digest, [named('ci', signer)])).toEqual({ verifiedKeys: [], problems: ['no signature'] });
  });

  it('refuses a signature whose stored payload was altered', async () => {
    const digest = await pushImage('team/tampered', 'v1', 'tampered layer');
    await signRemote(client, parseReference(`${srv.hostPort}/team/tampered:v1`), signer.privateKey);
    const sig = await srv.registry.getManifest('team/tampered', cosignTag(digest, 'sig'), undefined, { recordPull: false });
    const parsed = parseManifest(sig.content, sig.mediaType);
    if (parsed.kind !== 'manifest') throw new Error('expected an image manifest');
    const layer = parsed.manifest.layers[0]!;
    const chunks: Buffer[] = [];
    for await (const c of (await srv.registry.readBlob('team/tampered', layer.digest)) as AsyncIterable<Buffer>) chunks.push(c);
    const payload = Buffer.concat(chunks);
    // Same length, one byte changed, written behind the registry's back (storage tampering).
    const altered = Buffer.from(payload.toString('utf8').replace('"critical"', '"Critical"'));
    expect(altered.equals(payload)).toBe(false);
    await srv.registry.blobs.put(layer.digest, altered);

    const v = await verifyStoredSignatures(srv.registry, 'team/tampered', digest, [named('ci', signer)]);
    expect(v.verifiedKeys).toEqual([]);
    expect(v.problems).toEqual([expect.stringMatching(/payload does not hash to its layer digest/)]);
  });

  it('does not count a valid signature of another digest', async () => {
    const a = await pushImage('team/swap', 'a', 'layer a');
    const b = await pushImage('team/swap', 'b', 'layer b');
    await signRemote(client, parseReference(`${srv.hostPort}/team/swap:a`), signer.privateKey);
    // Copy A's signature manifest under B's cosign tag: every blob is genuine, the payload names A.
    const sigA = await client.getManifest('team/swap', cosignTag(a, 'sig'));
    await client.putManifest('team/swap', cosignTag(b, 'sig'), sigA.bytes, sigA.mediaType);

    const v = await verifyStoredSignatures(srv.registry, 'team/swap', b, [named('ci', signer)]);
    expect(v.verifiedKeys).toEqual([]);
    expect(v.problems).toEqual([expect.stringContaining(`signature is for ${a}, not ${b}`)]);
  });

  it('does not read a signature layer larger than the limit', async () => {
    const digest = await pushImage('team/huge', 'v1', 'huge layer');
    const big = Buffer.alloc(STORED_LIMITS.maxPayloadBytes + 1, 0x20);
    await client.uploadBlob('team/huge', big);
    const config = Buffer.from('{}');
    await client.uploadBlob('team/huge', config);
    const sig = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MediaType.OciManifest,
        config: { mediaType: MediaType.OciConfig, digest: digestOf(config), size: config.length },
        layers: [{ mediaType: MediaType.CosignSimpleSigning, digest: digestOf(big), size: big.length, annotations: { 'dev.cosignproject.cosign/signature': 'MEUCIQ==' } }],
      }),
    );
    await client.putManifest('team/huge', cosignTag(digest, 'sig'), sig, MediaType.OciManifest);
    const v = await verifyStoredSignatures(srv.registry, 'team/huge', digest, [named('ci', signer)]);
    expect(v.problems).toEqual([expect.stringMatching(/more than the 1048576 a signature may have/)]);
  });
});
