/** Immutability and quotas as a client sees them: real HTTP through the distribution API. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MediaType } from '../image/mediatypes.js';
import { startTestServer, type TestServer } from '../testing/server.js';
import { sha } from './testing/dialects.js';

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer();
});
afterAll(async () => {
  await srv?.stop();
});

async function errorOf(res: Response): Promise<{ code: string; message: string } | undefined> {
  const body = (await res.json()) as { errors?: Array<{ code: string; message: string }> };
  return body.errors?.[0];
}

async function pushBlob(repo: string, data: Buffer): Promise<Response> {
  return fetch(`${srv.url}/v2/${repo}/blobs/uploads/?digest=${sha(data)}`, { method: 'POST', body: data });
}

async function pushImage(repo: string, tag: string, seed: string): Promise<{ res: Response; digest: string }> {
  const config = Buffer.from(JSON.stringify({ os: 'linux', architecture: 'amd64', seed }));
  const layer = Buffer.from(`layer ${seed}`);
  for (const b of [config, layer]) expect((await pushBlob(repo, b)).status).toBe(201);
  const doc = JSON.stringify({
    schemaVersion: 2,
    mediaType: MediaType.OciManifest,
    config: { mediaType: MediaType.OciConfig, digest: sha(config), size: config.length },
    layers: [{ mediaType: MediaType.OciLayerGzip, digest: sha(layer), size: layer.length }],
  });
  const res = await fetch(`${srv.url}/v2/${repo}/manifests/${tag}`, { method: 'PUT', body: doc, headers: { 'Content-Type': MediaType.OciManifest } });
  return { res, digest: sha(doc) };
}

describe('lifecycle over the distribution API', () => {
  it('an immutable tag can be neither overwritten nor deleted (403 DENIED)', async () => {
    await srv.registry.immutability.add('rel/*', 'v*');
    const first = await pushImage('rel/app', 'v1', 'one');
    expect(first.res.status).toBe(201);
    const again = await pushImage('rel/app', 'v1', 'one');
    expect(again.res.status).toBe(201);

    const moved = await pushImage('rel/app', 'v1', 'two');
    expect(moved.res.status).toBe(403);
    expect(await errorOf(moved.res)).toMatchObject({ code: 'DENIED', message: expect.stringMatching(/rel\/app:v1 is immutable/) as string });
    const get = await fetch(`${srv.url}/v2/rel/app/manifests/v1`, { method: 'HEAD', headers: { Accept: MediaType.OciManifest } });
    expect(get.headers.get('docker-content-digest')).toBe(first.digest);

    for (const ref of ['v1', first.digest]) {
      const del = await fetch(`${srv.url}/v2/rel/app/manifests/${ref}`, { method: 'DELETE' });
      expect(del.status).toBe(403);
      expect((await errorOf(del))?.code).toBe('DENIED');
    }
    // Nothing of the refused push was stored; a tag no rule covers is deleted as usual.
    expect((await fetch(`${srv.url}/v2/rel/app/manifests/${moved.digest}`, { method: 'HEAD' })).status).toBe(404);
    expect((await pushImage('rel/app', 'latest', 'three')).res.status).toBe(201);
    expect((await fetch(`${srv.url}/v2/rel/app/manifests/latest`, { method: 'DELETE' })).status).toBe(202);
  });

  it('a project quota refuses an upload (403 DENIED, quota exceeded)', async () => {
    await srv.registry.quotas.set('small', 100);
    expect((await pushBlob('small/app', Buffer.alloc(80, 1))).status).toBe(201);
    const big = Buffer.alloc(40, 2);
    const res = await pushBlob('small/app', big);
    expect(res.status).toBe(403);
    expect(await errorOf(res)).toMatchObject({ code: 'DENIED', message: expect.stringMatching(/^quota exceeded: used 80 of 100/) as string });
    expect((await fetch(`${srv.url}/v2/small/app/blobs/${sha(big)}`, { method: 'HEAD' })).status).toBe(404);
    // Chunked uploads are refused at completion too.
    const start = await fetch(`${srv.url}/v2/small/app/blobs/uploads/`, { method: 'POST' });
    const location = start.headers.get('location')!;
    const patch = await fetch(`${srv.url}${location}`, { method: 'PATCH', body: big, headers: { 'Content-Type': 'application/octet-stream' } });
    expect(patch.status).toBe(202);
    const put = await fetch(`${srv.url}${patch.headers.get('location')!}?digest=${sha(big)}`, { method: 'PUT' });
    expect(put.status).toBe(403);
    expect((await errorOf(put))?.code).toBe('DENIED');
    // The refused upload is gone, not left to expire.
    expect((await fetch(`${srv.url}${patch.headers.get('location')!}`)).status).toBe(404);
    expect(await srv.registry.quotas.usage('small')).toBe(80);
  });
});
