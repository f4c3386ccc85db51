import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { digestOf } from '../digest.js';
import { MediaType } from '../mediatypes.js';
import { RegistryClient } from './client.js';
import { DigestMismatchError, RegistryError } from './errors.js';
import { FakeRegistry, type FakeRegistryOptions } from './fake-registry.js';
import { readBounded } from './http.js';
import { oneLayerManifest } from '../../testing/tiny-image.js';

const started: { fake: FakeRegistry; client: RegistryClient }[] = [];

async function setup(opts: FakeRegistryOptions = {}, clientOpts: Partial<ConstructorParameters<typeof RegistryClient>[0]> = {}) {
  const fake = new FakeRegistry(opts);
  const registry = await fake.start();
  const client = new RegistryClient({ registry, ...clientOpts });
  started.push({ fake, client });
  return { fake, client, registry };
}

afterEach(async () => {
  for (const { fake, client } of started.splice(0)) {
    await client.close();
    await fake.stop();
  }
});

function tinyImage(seed: string) {
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', seed }));
  const layer = Buffer.from(`layer-${seed}`);
  const manifest = oneLayerManifest(config, layer);
  return { config, layer, manifest };
}

describe('RegistryClient against an in-test registry', () => {
  it('pushes and pulls an image without auth', async () => {
    const { client, fake } = await setup();
    const img = tinyImage('a');
    expect((await client.uploadBlob('app', img.config)).uploaded).toBe(true);
    expect((await client.uploadBlob('app', img.config)).uploaded).toBe(false);
    await client.uploadBlob('app', img.layer);
    const put = await client.putManifest('app', 'v1', img.manifest, MediaType.OciManifest);
    expect(put.digest).toBe(digestOf(img.manifest));
    const got = await client.getManifest('app', 'v1');
    expect(got).toEqual({ bytes: img.manifest, mediaType: MediaType.OciManifest, digest: put.digest });
    expect(await client.headManifest('app', 'v1')).toEqual({ mediaType: MediaType.OciManifest, digest: put.digest, size: img.manifest.length });
    expect(await client.headManifest('app', 'nope')).toBeUndefined();
    expect(await client.headBlob('app', digestOf(img.layer))).toEqual({ size: img.layer.length });
    const { stream } = await client.getBlob('app', digestOf(img.layer));
    expect((await readBounded(stream, 1000, 't')).toString()).toBe('layer-a');
    expect(fake.requests.every((r) => r.authorization === undefined)).toBe(true);
  });

  it('uploads a stream in chunks with Content-Range and verifies a declared digest', async () => {
    const { client, fake } = await setup();
    const data = Buffer.alloc(10_000, 7);
    const res = await client.uploadBlob('app', Readable.from([data.subarray(0, 3000), data.subarray(3000)]), { chunkSize: 4096 });
    expect(res).toEqual({ digest: digestOf(data), size: 10_000, uploaded: true });
    expect(fake.requests.filter((r) => r.method === 'PATCH')).toHaveLength(3);
    expect(fake.blobs.get(digestOf(data))).toEqual(data);
    const wrong = `sha256:${'0'.repeat(64)}`;
    await expect(client.uploadBlob('app', Readable.from([Buffer.from('zzz')]), { digest: wrong })).rejects.toBeInstanceOf(DigestMismatchError);
    expect(fake.requests.at(-1)?.method).toBe('DELETE');
  });

  it('rejects manifests and blobs whose bytes do not match their digest', async () => {
    const img = tinyImage('c');
    const { client, fake } = await setup({ corrupt: new Set([digestOf(img.manifest), digestOf(img.layer)]) });
    await client.uploadBlob('app', img.layer);
    await client.putManifest('app', 'v1', img.manifest, MediaType.OciManifest);
    await expect(client.getManifest('app', 'v1')).rejects.toBeInstanceOf(DigestMismatchError);
    await expect(client.getManifest('app', digestOf(img.manifest))).rejects.toBeInstanceOf(DigestMismatchError);
    const { stream } = await client.getBlob('app', digestOf(img.layer));
    await expect(readBounded(stream, 1000, 'blob')).rejects.toBeInstanceOf(DigestMismatchError);
    fake.blobs.set(digestOf(Buffer.from('q')), Buffer.from('q'));
  });

  it('parses OCI error bodies into RegistryError', async () => {
    const { client } = await setup();
    const err = (await client.getManifest('app', 'missing').catch((e: unknown) => e)) as RegistryError;
    expect(err).toBeInstanceOf(RegistryError);
    expect(err.status).toBe(404);
    expect(err.code).toBe('MANIFEST_UNKNOWN');
    expect(err.notFound).toBe(true);
    expect(err.message).toContain('manifest missing unknown');
  });

  it('lists tags across Link pages, mounts, deletes', async () => {
    const { client } = await setup();
    const img = tinyImage('d');
    await client.uploadBlob('app', img.config);
    await client.uploadBlob('app', img.layer);
    for (const t of ['a', 'b', 'c', 'd', 'e']) await client.putManifest('app', t, img.manifest, MediaType.OciManifest);
    expect(await client.listTags('app', 2)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(await client.mountBlob('other', digestOf(img.layer), 'app')).toBe(true);
    expect(await client.mountBlob('other', `sha256:${'1'.repeat(64)}`, 'app')).toBe(false);
    await client.deleteManifest('app', digestOf(img.manifest));
    expect(await client.headManifest('app', 'a')).toBeUndefined();
  });

  it('follows blob redirects and never sends credentials to another origin', async () => {
    const other = new FakeRegistry();
    const otherHost = await other.start();
    try {
      const { client } = await setup(
        { auth: 'basic', users: { u: 'p' }, blobRedirectOrigin: `http://localhost:${otherHost.split(':')[1]}` },
        { credentials: { username: 'u', password: 'p' } },
      );
      const layer = Buffer.from('redirected');
      await client.uploadBlob('app', layer);
      other.blobs.set(digestOf(layer), layer);
      const { stream } = await client.getBlob('app', digestOf(layer));
      expect((await readBounded(stream, 100, 't')).toString()).toBe('redirected');
      expect(other.requests).toHaveLength(1);
      expect(other.requests[0]!.authorization).toBeUndefined();
    } finally {
      await other.stop();
    }
  });

  it('authenticates with Basic credentials, and fails typed without them', async () => {
    const { client, fake, registry } = await setup({ auth: 'basic', users: { alice: 's3cret' } }, { credentials: { username: 'alice', password: 's3cret' } });
    await client.ping();
    await client.uploadBlob('app', Buffer.from('x'));
    expect(fake.requests.at(-1)?.authorization).toBe(`Basic ${Buffer.from('alice:s3cret').toString('base64')}`);
    const anon = new RegistryClient({ registry });
    try {
      const err = (await anon.ping().catch((e: unknown) => e)) as RegistryError;
      expect(err.status).toBe(401);
      expect(err.code).toBe('UNAUTHORIZED');
    } finally {
      await anon.close();
    }
  });

  it('does Docker token auth: challenge, token per scope, cache, scope upgrade for mount', async () => {
    const { client, fake } = await setup({ auth: 'token', users: { bob: 'pw' } }, { credentials: { username: 'bob', password: 'pw' } });
    const img = tinyImage('t');
    await client.uploadBlob('app', img.config);
    await client.uploadBlob('app', img.layer);
    await client.putManifest('app', 'v1', img.manifest, MediaType.OciManifest);
    await client.getManifest('app', 'v1');
    // One token for push on app, one for pull on app: cached across requests.
    expect(fake.tokenRequests.map((r) => r.scopes.join(' '))).toEqual(['repository:app:pull,push', 'repository:app:pull']);
    expect(fake.tokenRequests[0]!.account).toBe('bob');
    expect(await client.mountBlob('copy', digestOf(img.layer), 'app')).toBe(true);
    expect(fake.tokenRequests.at(-1)!.scopes).toEqual(['repository:app:pull', 'repository:copy:pull,push']);
  });

  it('gets anonymous pull tokens, and uses identity tokens through the OAuth2 refresh grant', async () => {
    const { client, fake, registry } = await setup({ auth: 'token', anonymousPull: true, refreshTokens: { carol: 'rt-123' } });
    const img = tinyImage('anon');
    fake.manifests.set('pub', new Map([['v1', { bytes: img.manifest, mediaType: MediaType.OciManifest, digest: digestOf(img.manifest) }]]));
    expect((await client.getManifest('pub', 'v1')).digest).toBe(digestOf(img.manifest));
    await expect(client.uploadBlob('pub', Buffer.from('nope'))).rejects.toMatchObject({ status: 401 });
    const withId = new RegistryClient({ registry, credentials: { identityToken: 'rt-123' } });
    try {
      await withId.uploadBlob('pub', Buffer.from('yes'));
      expect(fake.tokenRequests.at(-1)).toMatchObject({ grant: 'refresh_token', account: 'carol' });
    } finally {
      await withId.close();
    }
  });

  it('uses the referrers API when present', async () => {
    const { client } = await setup({ referrersApi: true });
    const img = tinyImage('r');
    await client.uploadBlob('app', img.config);
    await client.uploadBlob('app', img.layer);
    const subject = await client.putManifest('app', 'v1', img.manifest, MediaType.OciManifest);
    const art = artifact(subject.digest, img.manifest.length, 'application/vnd.example+json');
    await client.uploadBlob('app', Buffer.from('{}'));
    const pushed = await client.pushReferrer('app', art, MediaType.OciManifest);
    expect(pushed.usedTagFallback).toBe(false);
    const list = await client.listReferrers('app', subject.digest, 'application/vnd.example+json');
    expect(list.source).toBe('api');
    expect(list.manifests.map((d) => d.digest)).toEqual([pushed.digest]);
    expect((await client.listReferrers('app', subject.digest, 'application/other')).manifests).toEqual([]);
  });

  it('falls back to the sha256-<hex> tag index without the referrers API', async () => {
    const { client } = await setup({ referrersApi: false });
    const img = tinyImage('f');
    await client.uploadBlob('app', img.config);
    await client.uploadBlob('app', img.layer);
    const subject = await client.putManifest('app', 'v1', img.manifest, MediaType.OciManifest);
    await client.uploadBlob('app', Buffer.from('{}'));
    expect(await client.listReferrers('app', subject.digest)).toEqual({ manifests: [], source: 'tag' });
    const a = await client.pushReferrer('app', artifact(subject.digest, img.manifest.length, 'application/a'), MediaType.OciManifest);
    const b = await client.pushReferrer('app', artifact(subject.digest, img.manifest.length, 'application/b'), MediaType.OciManifest);
    expect(a.usedTagFallback).toBe(true);
    const all = await client.listReferrers('app', subject.digest);
    expect(all.source).toBe('tag');
    expect(all.manifests.map((d) => [d.digest, d.artifactType])).toEqual([
      [a.digest, 'application/a'],
      [b.digest, 'application/b'],
    ]);
    expect((await client.listReferrers('app', subject.digest, 'application/b')).manifests.map((d) => d.digest)).toEqual([b.digest]);
    expect(await client.listTags('app')).toContain(`sha256-${subject.digest.slice(7)}`);
  });
});

function artifact(subjectDigest: string, subjectSize: number, artifactType: string): Buffer {
  const empty = Buffer.from('{}');
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaType.OciManifest,
      artifactType,
      config: { mediaType: MediaType.OciEmpty, digest: digestOf(empty), size: 2 },
      layers: [{ mediaType: MediaType.OciEmpty, digest: digestOf(empty), size: 2 }],
      subject: { mediaType: MediaType.OciManifest, digest: subjectDigest, size: subjectSize },
      annotations: { 'org.example.kind': artifactType },
    }),
  );
}

/** A throwaway self-signed certificate for 127.0.0.1, made by the openssl CLI. */
function selfSignedCert(): { key: string; cert: string } | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-tls-'));
  try {
    const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1', '-days', '1', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem')], { stdio: 'ignore' });
    if (r.status !== 0) return undefined;
    return { key: readFileSync(join(dir, 'k.pem'), 'utf8'), cert: readFileSync(join(dir, 'c.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const tls = selfSignedCert();

describe.skipIf(!tls)('TLS', () => {
  it('speaks HTTPS to a loopback registry that has TLS, verifying against the given CA', async () => {
    const { client, fake } = await setup({ tls: tls!, auth: 'token', users: { u: 'p' } }, { ca: tls!.cert, credentials: { username: 'u', password: 'p' } });
    await client.uploadBlob('app', Buffer.from('over tls'));
    expect(client.baseUrl).toBe(fake.origin);
    expect(fake.origin.startsWith('https://')).toBe(true);
  });

  it('refuses an unverifiable certificate, and accepts it with insecure', async () => {
    const { client, registry } = await setup({ tls: tls! }, { scheme: 'https' });
    await expect(client.ping()).rejects.toThrow();
    const insecure = new RegistryClient({ registry, insecure: true });
    try {
      await insecure.ping();
      expect(insecure.baseUrl.startsWith('https://')).toBe(true);
    } finally {
      await insecure.close();
    }
  });
});
