import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestOf } from '../../image/digest.js';
import { MediaType } from '../../image/mediatypes.js';
import { startTestServer, type TestServer } from '../../testing/server.js';

let srv: TestServer;
const url = (p: string) => `${srv.url}${p}`;

async function errorCode(res: Response): Promise<string | undefined> {
  const body = (await res.json()) as { errors?: { code: string }[] };
  return body.errors?.[0]?.code;
}

async function pushBlob(repo: string, data: Buffer | string): Promise<{ digest: string; size: number }> {
  const buf = Buffer.from(data);
  const digest = digestOf(buf);
  const res = await fetch(url(`/v2/${repo}/blobs/uploads/?digest=${digest}`), { method: 'POST', body: buf });
  expect(res.status).toBe(201);
  return { digest, size: buf.length };
}

async function putManifest(repo: string, ref: string, doc: object | string, contentType?: string): Promise<Response> {
  const body = typeof doc === 'string' ? doc : JSON.stringify(doc);
  const headers: Record<string, string> = {};
  if (contentType) headers['Content-Type'] = contentType;
  return fetch(url(`/v2/${repo}/manifests/${ref}`), { method: 'PUT', body, headers });
}

/** A tiny image in `repo`: config + one layer; returns the manifest document. */
async function imageManifest(repo: string, seed: string, mediaType: string = MediaType.OciManifest) {
  const config = await pushBlob(repo, JSON.stringify({ architecture: 'amd64', os: 'linux', seed }));
  const layer = await pushBlob(repo, `layer-${seed}`);
  const docker = mediaType === MediaType.DockerManifest;
  return {
    schemaVersion: 2,
    mediaType,
    config: { mediaType: docker ? MediaType.DockerConfig : MediaType.OciConfig, ...config },
    layers: [{ mediaType: docker ? MediaType.DockerLayerGzip : MediaType.OciLayerGzip, ...layer }],
  };
}

beforeAll(async () => {
  srv = await startTestServer({ limits: { maxManifestBytes: 8192 } });
});
afterAll(async () => {
  await srv.stop();
});

describe('distribution API: manifests, tags, referrers', () => {
  it('stores a manifest by tag and serves it by tag and digest', async () => {
    const doc = await imageManifest('app/web', 'one');
    const body = JSON.stringify(doc);
    const res = await putManifest('app/web', 'v1', body, MediaType.OciManifest);
    expect(res.status).toBe(201);
    const digest = digestOf(body);
    expect(res.headers.get('docker-content-digest')).toBe(digest);
    expect(res.headers.get('location')).toBe(`/v2/app/web/manifests/${digest}`);
    for (const ref of ['v1', digest]) {
      const get = await fetch(url(`/v2/app/web/manifests/${ref}`), { headers: { Accept: MediaType.OciManifest } });
      expect(get.status).toBe(200);
      expect(get.headers.get('content-type')).toBe(MediaType.OciManifest);
      expect(get.headers.get('docker-content-digest')).toBe(digest);
      expect(await get.text()).toBe(body);
    }
    const head = await fetch(url('/v2/app/web/manifests/v1'), { method: 'HEAD' });
    expect(head.headers.get('content-length')).toBe(String(body.length));
  });

  it('accepts Docker schema 2 and manifests without a mediaType field (umoci)', async () => {
    const docker = await imageManifest('app/docker', 'd', MediaType.DockerManifest);
    expect((await putManifest('app/docker', 'latest', docker, MediaType.DockerManifest)).status).toBe(201);
    const umoci: Record<string, unknown> = { ...(await imageManifest('app/umoci', 'u')) };
    delete umoci.mediaType;
    expect((await putManifest('app/umoci', 'latest', umoci, MediaType.OciManifest)).status).toBe(201);
    const get = await fetch(url('/v2/app/umoci/manifests/latest'));
    expect(get.headers.get('content-type')).toBe(MediaType.OciManifest);
  });

  it('refuses invalid, oversized, mismatched and dangling manifests', async () => {
    const bad = await putManifest('app/bad', 'x', '{not json', MediaType.OciManifest);
    expect(bad.status).toBe(400);
    expect(await errorCode(bad)).toBe('MANIFEST_INVALID');
    const shape = await putManifest('app/bad', 'x', { schemaVersion: 2, mediaType: MediaType.OciManifest, layers: [] });
    expect(await errorCode(shape)).toBe('MANIFEST_INVALID');
    const big = await putManifest('app/bad', 'x', { schemaVersion: 2, pad: 'x'.repeat(9000) }, MediaType.OciManifest);
    expect(big.status).toBe(413);
    const doc = await imageManifest('app/bad', 'b');
    const wrongDigest = await putManifest('app/bad', digestOf('other'), doc, MediaType.OciManifest);
    expect(await errorCode(wrongDigest)).toBe('DIGEST_INVALID');
    const dangling = { ...doc, layers: [{ mediaType: MediaType.OciLayerGzip, digest: digestOf('missing'), size: 7 }] };
    const res = await putManifest('app/bad', 'x', dangling, MediaType.OciManifest);
    expect(res.status).toBe(404);
    expect(await errorCode(res)).toBe('MANIFEST_BLOB_UNKNOWN');
    const badTag = await putManifest('app/bad', '-bad-tag', doc, MediaType.OciManifest);
    expect(await errorCode(badTag)).toBe('MANIFEST_INVALID');
    const unknown = await fetch(url('/v2/app/bad/manifests/x'));
    expect(await errorCode(unknown)).toBe('MANIFEST_UNKNOWN');
  });

  it('stores indexes whose children exist, and refuses those whose children do not', async () => {
    const child = JSON.stringify(await imageManifest('app/multi', 'amd64'));
    expect((await putManifest('app/multi', digestOf(child), child, MediaType.OciManifest)).status).toBe(201);
    const index = {
      schemaVersion: 2,
      mediaType: MediaType.OciIndex,
      manifests: [{ mediaType: MediaType.OciManifest, digest: digestOf(child), size: child.length, platform: { os: 'linux', architecture: 'amd64' } }],
    };
    expect((await putManifest('app/multi', 'latest', index, MediaType.OciIndex)).status).toBe(201);
    // A client that cannot read indexes gets the linux/amd64 image.
    const narrow = await fetch(url('/v2/app/multi/manifests/latest'), { headers: { Accept: MediaType.OciManifest } });
    expect(narrow.headers.get('docker-content-digest')).toBe(digestOf(child));
    const broken = { ...index, manifests: [{ ...index.manifests[0], digest: digestOf('no child') }] };
    const res = await putManifest('app/multi', 'broken', broken, MediaType.OciIndex);
    expect(await errorCode(res)).toBe('MANIFEST_BLOB_UNKNOWN');
  });

  it('lists tags with pagination and Link headers', async () => {
    const doc = await imageManifest('app/tags', 't');
    for (const t of ['a', 'b', 'c', 'd', 'e']) expect((await putManifest('app/tags', t, doc, MediaType.OciManifest)).status).toBe(201);
    const first = await fetch(url('/v2/app/tags/tags/list?n=2'));
    expect(await first.json()).toEqual({ name: 'app/tags', tags: ['a', 'b'] });
    expect(first.headers.get('link')).toBe('</v2/app/tags/tags/list?n=2&last=b>; rel="next"');
    const next = await fetch(url('/v2/app/tags/tags/list?n=2&last=b'));
    expect(((await next.json()) as { tags: string[] }).tags).toEqual(['c', 'd']);
    const all = await fetch(url('/v2/app/tags/tags/list'));
    expect(((await all.json()) as { tags: string[] }).tags).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(all.headers.get('link')).toBeNull();
    const unknown = await fetch(url('/v2/app/none/tags/list'));
    expect(await errorCode(unknown)).toBe('NAME_UNKNOWN');
    const badN = await fetch(url('/v2/app/tags/tags/list?n=abc'));
    expect(badN.status).toBe(400);
  });

  it('pages the catalog', async () => {
    const res = await fetch(url('/v2/_catalog?n=1'));
    const body = (await res.json()) as { repositories: string[] };
    expect(body.repositories).toHaveLength(1);
    expect(res.headers.get('link')).toMatch(/^<\/v2\/_catalog\?n=1&last=/);
    const all = (await (await fetch(url('/v2/_catalog'))).json()) as { repositories: string[] };
    expect(all.repositories).toContain('app/web');
    expect([...all.repositories].sort()).toEqual(all.repositories);
  });

  it('deletes by digest (with its tags) and by tag (only the tag)', async () => {
    const doc = await imageManifest('app/del', 'x');
    const body = JSON.stringify(doc);
    await putManifest('app/del', 'one', body, MediaType.OciManifest);
    await putManifest('app/del', 'two', body, MediaType.OciManifest);
    expect((await fetch(url('/v2/app/del/manifests/one'), { method: 'DELETE' })).status).toBe(202);
    expect((await fetch(url('/v2/app/del/manifests/one'))).status).toBe(404);
    expect((await fetch(url('/v2/app/del/manifests/two'))).status).toBe(200);
    expect((await fetch(url(`/v2/app/del/manifests/${digestOf(body)}`), { method: 'DELETE' })).status).toBe(202);
    expect((await fetch(url('/v2/app/del/manifests/two'))).status).toBe(404);
    const again = await fetch(url(`/v2/app/del/manifests/${digestOf(body)}`), { method: 'DELETE' });
    expect(await errorCode(again)).toBe('MANIFEST_UNKNOWN');
  });

  it('serves referrers with artifactType filtering and the config.mediaType fallback', async () => {
    const subjectBody = JSON.stringify(await imageManifest('app/ref', 'subject'));
    await putManifest('app/ref', 'v1', subjectBody, MediaType.OciManifest);
    const subject = { mediaType: MediaType.OciManifest, digest: digestOf(subjectBody), size: subjectBody.length };
    const empty = await pushBlob('app/ref', '{}');
    const sig = {
      schemaVersion: 2,
      mediaType: MediaType.OciManifest,
      artifactType: 'application/vnd.example.sig',
      config: { mediaType: MediaType.OciEmpty, ...empty },
      layers: [{ mediaType: 'application/vnd.example.sig.layer', ...(await pushBlob('app/ref', 'signature')) }],
      subject,
      annotations: { 'org.example': 'yes' },
    };
    const put = await putManifest('app/ref', digestOf(JSON.stringify(sig)), sig, MediaType.OciManifest);
    expect(put.status).toBe(201);
    expect(put.headers.get('oci-subject')).toBe(subject.digest);
    const sbomConfig = await pushBlob('app/ref', '{"sbom":true}');
    const sbom = { schemaVersion: 2, mediaType: MediaType.OciManifest, config: { mediaType: 'application/vnd.example.sbom.config', ...sbomConfig }, layers: [], subject };
    expect((await putManifest('app/ref', digestOf(JSON.stringify(sbom)), sbom, MediaType.OciManifest)).status).toBe(201);

    const all = await fetch(url(`/v2/app/ref/referrers/${subject.digest}`));
    expect(all.headers.get('content-type')).toBe(MediaType.OciIndex);
    const index = (await all.json()) as { manifests: { artifactType?: string; annotations?: Record<string, string> }[] };
    expect(index.manifests.map((m) => m.artifactType).sort()).toEqual(['application/vnd.example.sbom.config', 'application/vnd.example.sig']);
    const filtered = await fetch(url(`/v2/app/ref/referrers/${subject.digest}?artifactType=application/vnd.example.sig`));
    expect(filtered.headers.get('oci-filters-applied')).toBe('artifactType');
    const f = (await filtered.json()) as { manifests: { annotations?: Record<string, string> }[] };
    expect(f.manifests).toHaveLength(1);
    expect(f.manifests[0]!.annotations).toEqual({ 'org.example': 'yes' });
    const none = (await (await fetch(url(`/v2/app/nothing/referrers/${subject.digest}`))).json()) as { manifests: unknown[] };
    expect(none.manifests).toEqual([]);
    const bad = await fetch(url('/v2/app/ref/referrers/sha256:nope'));
    expect(await errorCode(bad)).toBe('DIGEST_INVALID');
  });

  it('keeps referrers tag-schema fallback indexes (sha256-<hex> tags) for clients that use them', async () => {
    const subjectBody = JSON.stringify(await imageManifest('app/fallback', 'subject'));
    await putManifest('app/fallback', 'v1', subjectBody, MediaType.OciManifest);
    const hex = digestOf(subjectBody).slice('sha256:'.length);
    const child = JSON.stringify(await imageManifest('app/fallback', 'signature'));
    await putManifest('app/fallback', digestOf(child), child, MediaType.OciManifest);
    const fallback = { schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: [{ mediaType: MediaType.OciManifest, digest: digestOf(child), size: child.length, artifactType: 'application/vnd.example.sig' }] };
    expect((await putManifest('app/fallback', `sha256-${hex}`, fallback, MediaType.OciIndex)).status).toBe(201);
    const got = await fetch(url(`/v2/app/fallback/manifests/sha256-${hex}`), { headers: { Accept: MediaType.OciIndex } });
    expect(((await got.json()) as { manifests: { artifactType: string }[] }).manifests[0]!.artifactType).toBe('application/vnd.example.sig');
  });
});
