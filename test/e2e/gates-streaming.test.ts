/**
 * Layer analysis while the upload streams in, over HTTP: a layer sent in chunked PATCH requests
 * (and one sent whole in the closing PUT) is analysed from the teed bytes, so the push gate
 * decides at manifest PUT without any queued layer job.
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTarGz } from '../../src/image/layers/testing/tar.js';
import { MediaType } from '../../src/image/mediatypes.js';
import { adminApi, startTestServer, type TestServer } from '../../src/testing/server.js';

const PRIVATE_KEY = ['-----BEGIN OPENSSH PRIVATE KEY-----', 'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW', 'QyNTUxOQAAACDxL8qJ6vPq2y1e0yqkZ3n7Q0m5x8e6Vh9oXbT2sF4kUwAAAJj3kQz1d9Gb', '-----END OPENSSH PRIVATE KEY-----', ''].join('\n');

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

async function expectStatus(res: Response, status: number): Promise<Response> {
  if (res.status !== status) throw new Error(`${res.status} (wanted ${status}): ${await res.text()}`);
  return res;
}

describe('layer analysis during the upload, over HTTP', () => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startTestServer({ gates: { enabled: true, waitForAnalysis: 20 } });
    for (const [name, mode] of [['strict', 'enforce'], ['lenient', 'warn']] as const) {
      expect((await adminApi(srv, 'POST', '/projects', { name })).status).toBe(201);
      expect((await adminApi(srv, 'PUT', `/projects/${name}/policy`, { version: 1, mode, push: { secrets: {} } })).status).toBe(200);
    }
  }, 60_000);
  afterAll(async () => {
    await srv?.stop();
  });

  /** A layer with a private key and random filler (so it stays a few hundred KiB compressed). */
  const layerBlob = () =>
    makeTarGz([{ name: 'root/.ssh/id_ed25519', content: PRIVATE_KEY }, ...Array.from({ length: 50 }, (_, i) => ({ name: `filler/${i}`, content: randomBytes(4096) }))]);

  async function startUpload(repo: string): Promise<string> {
    const res = await expectStatus(await fetch(`${srv.url}/v2/${repo}/blobs/uploads/`, { method: 'POST' }), 202);
    return new URL(res.headers.get('location')!, srv.url).href;
  }

  /** PATCHes `blob` in `parts` chunks with Content-Range, then closes with an empty PUT. */
  async function chunked(repo: string, blob: Buffer, parts: number): Promise<void> {
    let location = await startUpload(repo);
    const size = Math.ceil(blob.length / parts);
    for (let start = 0; start < blob.length; start += size) {
      const part = blob.subarray(start, start + size);
      const res = await fetch(location, { method: 'PATCH', headers: { 'content-type': 'application/octet-stream', 'content-range': `${start}-${start + part.length - 1}` }, body: part });
      location = new URL((await expectStatus(res, 202)).headers.get('location')!, srv.url).href;
    }
    await expectStatus(await fetch(`${location}${location.includes('?') ? '&' : '?'}digest=${sha(blob)}`, { method: 'PUT' }), 201);
  }

  /** The whole blob in the closing PUT of an upload session. */
  async function inPut(repo: string, blob: Buffer): Promise<void> {
    const location = await startUpload(repo);
    const res = await fetch(`${location}${location.includes('?') ? '&' : '?'}digest=${sha(blob)}`, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: blob });
    await expectStatus(res, 201);
  }

  async function putManifest(repo: string, tag: string, layer: Buffer): Promise<Response> {
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: { User: '1000' }, rootfs: { type: 'layers', diff_ids: [] } }));
    await expectStatus(await fetch(`${srv.url}/v2/${repo}/blobs/uploads/?digest=${sha(config)}`, { method: 'POST', body: config }), 201);
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaType.OciManifest,
      config: { mediaType: MediaType.OciConfig, digest: sha(config), size: config.length },
      layers: [{ mediaType: MediaType.OciLayerGzip, digest: sha(layer), size: layer.length }],
    });
    return fetch(`${srv.url}/v2/${repo}/manifests/${tag}`, { method: 'PUT', headers: { 'content-type': MediaType.OciManifest }, body: manifest });
  }

  const layerJobs = async () => (await adminApi<{ jobs: { queue: string }[] }>(srv, 'GET', '/jobs?queue=gates.layer')).json.jobs.length;

  it('refuses a push whose secret was found in a layer sent in PATCH chunks, with no layer job queued', async () => {
    const layer = await layerBlob();
    await chunked('strict/app', layer, 4);
    const res = await putManifest('strict/app', 'v1', layer);
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('private-key');
    expect(await layerJobs()).toBe(0);
  });

  it('analyses a layer sent whole in the closing PUT the same way', async () => {
    const layer = await layerBlob();
    await inPut('lenient/app', layer);
    const res = await putManifest('lenient/app', 'v1', layer);
    expect(res.status).toBe(201);
    const decision = await adminApi<{ decision: { violations: { rule: string }[] } }>(srv, 'GET', `/projects/lenient/repositories/app/artifacts/${res.headers.get('docker-content-digest')}/decision`);
    expect(JSON.stringify(decision.json)).toContain('secret');
    expect(await layerJobs()).toBe(0);
  });
});
