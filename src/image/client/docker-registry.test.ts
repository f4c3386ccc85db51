import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestOf } from '../digest.js';
import { MediaType } from '../mediatypes.js';
import { RegistryClient } from './client.js';
import { RegistryError } from './errors.js';
import { readBounded } from './http.js';
import { hasDockerRegistry, hasHtpasswd, startDockerRegistry, type ReferenceRegistry } from './testing/reference-registry.js';
import { oneLayerManifest } from '../../testing/tiny-image.js';

/** The client against a real peer: Debian's docker-registry (distribution 2.8.2). */

function image(seed: string) {
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, seed }));
  const layer = Buffer.alloc(300_000, seed);
  const manifest = oneLayerManifest(config, layer);
  return { config, layer, manifest };
}

describe.skipIf(!hasDockerRegistry || !hasHtpasswd)('RegistryClient against docker-registry 2.8 (htpasswd auth)', () => {
  let reg: ReferenceRegistry;
  let client: RegistryClient;

  beforeAll(async () => {
    reg = await startDockerRegistry({ users: { tester: 'pa55word' } });
    client = new RegistryClient({ registry: reg.host, credentials: { username: 'tester', password: 'pa55word' } });
  });
  afterAll(async () => {
    await client?.close();
    await reg?.stop();
  });

  it('refuses anonymous and wrong credentials with UNAUTHORIZED', async () => {
    for (const credentials of [undefined, { username: 'tester', password: 'nope' }]) {
      const c = new RegistryClient({ registry: reg.host, credentials });
      try {
        const err = (await c.ping().catch((e: unknown) => e)) as RegistryError;
        expect(err).toBeInstanceOf(RegistryError);
        expect(err.status).toBe(401);
        expect(err.code).toBe('UNAUTHORIZED');
      } finally {
        await c.close();
      }
    }
  });

  it('pushes (monolithic and chunked), pulls, lists tags, mounts and deletes', async () => {
    await client.ping();
    const img = image('a');
    await client.uploadBlob('team/app', img.config);
    const up = await client.uploadBlob('team/app', Readable.from([img.layer.subarray(0, 100_000), img.layer.subarray(100_000)]), { chunkSize: 128 * 1024 });
    expect(up).toEqual({ digest: digestOf(img.layer), size: img.layer.length, uploaded: true });
    const put = await client.putManifest('team/app', 'v1', img.manifest, MediaType.OciManifest);
    await client.putManifest('team/app', 'v2', img.manifest, MediaType.OciManifest);
    const got = await client.getManifest('team/app', 'v1');
    expect(got.digest).toBe(put.digest);
    expect(got.mediaType).toBe(MediaType.OciManifest);
    expect((await client.headManifest('team/app', 'v2'))?.digest).toBe(put.digest);
    const { stream } = await client.getBlob('team/app', digestOf(img.layer), img.layer.length);
    expect((await readBounded(stream, 1 << 20, 'layer')).equals(img.layer)).toBe(true);
    expect(await client.listTags('team/app', 1)).toEqual(['v1', 'v2']);

    expect(await client.mountBlob('team/copy', digestOf(img.layer), 'team/app')).toBe(true);
    expect(await client.headBlob('team/copy', digestOf(img.layer))).toEqual({ size: img.layer.length });

    const missing = (await client.getManifest('team/app', 'nope').catch((e: unknown) => e)) as RegistryError;
    expect(missing.code).toBe('MANIFEST_UNKNOWN');

    await client.deleteManifest('team/app', put.digest);
    expect(await client.headManifest('team/app', 'v1')).toBeUndefined();
  });

  it('keeps referrers in the sha256-<hex> tag index (2.8 has no referrers API)', async () => {
    const img = image('b');
    await client.uploadBlob('team/ref', img.config);
    await client.uploadBlob('team/ref', img.layer);
    const subject = await client.putManifest('team/ref', 'v1', img.manifest, MediaType.OciManifest);
    const empty = Buffer.from('{}');
    await client.uploadBlob('team/ref', empty);
    const payload = Buffer.from('{"hello":"sbom"}');
    await client.uploadBlob('team/ref', payload);
    const art = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MediaType.OciManifest,
        artifactType: 'application/vnd.example.sbom+json',
        config: { mediaType: MediaType.OciEmpty, digest: digestOf(empty), size: 2 },
        layers: [{ mediaType: 'application/vnd.example.sbom+json', digest: digestOf(payload), size: payload.length }],
        subject: { mediaType: MediaType.OciManifest, digest: subject.digest, size: img.manifest.length },
      }),
    );
    const pushed = await client.pushReferrer('team/ref', art, MediaType.OciManifest);
    expect(pushed.usedTagFallback).toBe(true);
    const list = await client.listReferrers('team/ref', subject.digest);
    expect(list.source).toBe('tag');
    expect(list.manifests).toEqual([expect.objectContaining({ digest: pushed.digest, artifactType: 'application/vnd.example.sbom+json' })]);
    expect((await client.listReferrers('team/ref', subject.digest, 'application/other')).manifests).toEqual([]);
  });
});
