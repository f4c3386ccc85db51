import { pushOneLayerImage } from '../../src/testing/tiny-image.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryClient } from '../../src/image/client/client.js';
import { parseReference } from '../../src/image/client/reference.js';
import { MediaType } from '../../src/image/mediatypes.js';
import { attestRemote, cosignTag, generateKeyPair, signRemote } from '../../src/signing/index.js';
import { startTestServer, type TestServer } from '../../src/testing/server.js';

/** Signatures and attestations belong to their subject: DELETE of the image by digest takes them along. */

let srv: TestServer;
let client: RegistryClient;
const keys = generateKeyPair();

async function pushImage(repo: string, tag: string, content: string): Promise<string> {
  return pushOneLayerImage(client, repo, tag, Buffer.from(content));
}

async function status(path: string, method = 'GET'): Promise<number> {
  const res = await fetch(`${srv.url}${path}`, { method, headers: { accept: `${MediaType.OciManifest}, ${MediaType.OciIndex}` } });
  await res.arrayBuffer();
  return res.status;
}

async function referrers(repo: string, digest: string): Promise<string[]> {
  const res = await fetch(`${srv.url}/v2/${repo}/referrers/${digest}`);
  const body = (await res.json()) as { manifests: { digest: string }[] };
  return body.manifests.map((m) => m.digest);
}

beforeAll(async () => {
  srv = await startTestServer();
  client = new RegistryClient({ registry: srv.hostPort });
});
afterAll(async () => {
  await client?.close();
  await srv?.stop();
});

describe('deleting an image deletes what is attached to it', () => {
  it('removes the .sig/.att tags, the referrers and their own signatures; leaves other images alone', async () => {
    const repo = 'team/app';
    const image = await pushImage(repo, 'v1', 'the image');
    const other = await pushImage(repo, 'v2', 'another image');
    const ref = parseReference(`${srv.hostPort}/${repo}:v1`);
    await signRemote(client, ref, keys.privateKey, { bundle: true });
    await attestRemote(client, ref, keys.privateKey, { type: 'vuln', predicate: Buffer.from('{"scanner":{"uri":"portcullis"}}') });
    await signRemote(client, parseReference(`${srv.hostPort}/${repo}:v2`), keys.privateKey, { bundle: true });

    const attached = await referrers(repo, image);
    expect(attached).toHaveLength(2); // the signature bundle and the attestation bundle
    // A signature of an attachment (cosign signs attestations this way): it goes too, recursively.
    const nested = parseReference(`${srv.hostPort}/${repo}@${attached[0]!}`);
    await signRemote(client, nested, keys.privateKey);
    const sigManifest = (await client.getManifest(repo, cosignTag(image, 'sig'))).digest;
    const attManifest = (await client.getManifest(repo, cosignTag(image, 'att'))).digest;
    const nestedSig = (await client.getManifest(repo, cosignTag(attached[0]!, 'sig'))).digest;
    const otherSig = cosignTag(other, 'sig');
    const otherReferrers = await referrers(repo, other);

    expect(await status(`/v2/${repo}/manifests/${image}`, 'DELETE')).toBe(202);

    expect(await status(`/v2/${repo}/manifests/${image}`)).toBe(404);
    expect(await status(`/v2/${repo}/manifests/${cosignTag(image, 'sig')}`)).toBe(404);
    expect(await status(`/v2/${repo}/manifests/${cosignTag(image, 'att')}`)).toBe(404);
    expect(await status(`/v2/${repo}/manifests/${cosignTag(attached[0]!, 'sig')}`)).toBe(404);
    for (const d of [...attached, sigManifest, attManifest, nestedSig]) expect(await status(`/v2/${repo}/manifests/${d}`)).toBe(404);
    expect(await referrers(repo, image)).toEqual([]);

    // The other image and its signatures are untouched.
    expect(await status(`/v2/${repo}/manifests/v2`)).toBe(200);
    expect(await status(`/v2/${repo}/manifests/${otherSig}`)).toBe(200);
    expect(await referrers(repo, other)).toEqual(otherReferrers);
    const tags = ((await (await fetch(`${srv.url}/v2/${repo}/tags/list`)).json()) as { tags: string[] }).tags;
    expect(tags.sort()).toEqual([otherSig, 'v2'].sort());
  });

  it('keeps a signature manifest another image still uses, removing only the deleted image\'s tag', async () => {
    const repo = 'team/shared';
    const a = await pushImage(repo, 'a', 'image a');
    const b = await pushImage(repo, 'b', 'image b');
    await signRemote(client, parseReference(`${srv.hostPort}/${repo}:a`), keys.privateKey);
    // The same manifest bytes under B's signature tag (a copy gone wrong, or a hostile push).
    const sigA = await client.getManifest(repo, cosignTag(a, 'sig'));
    await client.putManifest(repo, cosignTag(b, 'sig'), sigA.bytes, sigA.mediaType);

    expect(await status(`/v2/${repo}/manifests/${a}`, 'DELETE')).toBe(202);
    expect(await status(`/v2/${repo}/manifests/${cosignTag(a, 'sig')}`)).toBe(404);
    expect(await status(`/v2/${repo}/manifests/${cosignTag(b, 'sig')}`)).toBe(200);
    expect(await status(`/v2/${repo}/manifests/${sigA.digest}`)).toBe(200);
    expect(await status(`/v2/${repo}/manifests/${b}`)).toBe(200);
  });

  it('deleting by tag keeps the image and its signatures', async () => {
    const repo = 'team/bytag';
    const image = await pushImage(repo, 'v1', 'tagged image');
    await signRemote(client, parseReference(`${srv.hostPort}/${repo}:v1`), keys.privateKey, { bundle: true });
    expect(await status(`/v2/${repo}/manifests/v1`, 'DELETE')).toBe(202);
    expect(await status(`/v2/${repo}/manifests/${image}`)).toBe(200);
    expect(await status(`/v2/${repo}/manifests/${cosignTag(image, 'sig')}`)).toBe(200);
    expect(await referrers(repo, image)).toHaveLength(1);
  });

  it('refuses the whole deletion when an attached tag is immutable', async () => {
    const repo = 'team/immutable';
    const image = await pushImage(repo, 'v1', 'protected image');
    await signRemote(client, parseReference(`${srv.hostPort}/${repo}:v1`), keys.privateKey);
    await client.deleteManifest(repo, 'v1');
    await srv.registry.immutability.add(repo, 'sha256-*.sig');
    const res = await fetch(`${srv.url}/v2/${repo}/manifests/${image}`, { method: 'DELETE' });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { errors: { message: string }[] }).errors[0]!.message).toMatch(/sha256-[0-9a-f]{64}\.sig is immutable/);
    expect(await status(`/v2/${repo}/manifests/${image}`)).toBe(200);
    expect(await status(`/v2/${repo}/manifests/${cosignTag(image, 'sig')}`)).toBe(200);
  });
});
