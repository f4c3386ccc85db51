import { mkdtemp, mkdir, rm, symlink, writeFile, readFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeRegistry } from '../client/fake-registry.js';
import { digestOf } from '../digest.js';
import { readLayer } from '../layers/reader.js';
import { makeTar } from '../layers/testing/tar.js';
import { MediaType } from '../mediatypes.js';
import { openImageSource, parseSourceRef } from './parse.js';
import { sourceFromManifest } from './from-manifest.js';
import { makeImage, writeOciLayout, type FixtureImage } from './testing/image.js';
import { BlobDigestMismatchError, type ImageSource } from './types.js';
import { Readable } from 'node:stream';

let dir: string;
let image: FixtureImage;
let other: FixtureImage;

async function listLayer(src: ImageSource, i = 0): Promise<string[]> {
  const out: string[] = [];
  for await (const e of readLayer(await src.openBlob(src.layers[i]!.digest))) {
    out.push(`${e.type} ${e.path}${e.type === 'file' ? ` ${(await e.read()).toString()}` : ''}`);
  }
  return out;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'portcullis-src-'));
  image = await makeImage([[{ name: 'etc/os-release', content: 'ID=debian\n' }], [{ name: 'app/x', content: 'x' }]], {
    ExposedPorts: { '22/tcp': {} },
  });
  other = await makeImage([[{ name: 'other', content: 'o' }]]);
  await writeOciLayout(join(dir, 'layout'), [
    { tag: 'one', image },
    { tag: 'two', image: other },
  ]);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('parseSourceRef', () => {
  it('parses skopeo-style transports', () => {
    expect(parseSourceRef('oci:/x/y:tag')).toEqual({ kind: 'oci', path: '/x/y', tag: 'tag' });
    expect(parseSourceRef('oci:/x/y')).toEqual({ kind: 'oci', path: '/x/y' });
    expect(parseSourceRef('oci-archive:a.tar:v1')).toEqual({ kind: 'oci-archive', path: 'a.tar', tag: 'v1' });
    expect(parseSourceRef('docker-archive:a.tar:repo:tag')).toEqual({ kind: 'docker-archive', path: 'a.tar', tag: 'repo:tag' });
    expect(parseSourceRef('rootfs:/r:oot')).toEqual({ kind: 'rootfs', path: '/r:oot' });
    expect(parseSourceRef('docker://localhost:5000/a/b@sha256:00')).toEqual({ kind: 'docker', reference: 'localhost:5000/a/b@sha256:00' });
    expect(parseSourceRef('./some/dir')).toEqual({ kind: 'auto', path: './some/dir' });
  });
});

describe('OCI layout source', () => {
  it('opens a tagged image, parses the config and streams verified layers', async () => {
    const src = await openImageSource(`oci:${join(dir, 'layout')}:one`);
    expect(src.manifestDigest).toBe(image.manifestDigest);
    expect(src.layers.map((l) => l.digest)).toEqual(image.layers.map((l) => l.digest));
    expect(src.config.config?.User).toBe('app');
    expect(src.config.config?.ExposedPorts).toEqual({ '22/tcp': {} });
    expect(await listLayer(src, 0)).toEqual(['file /etc/os-release ID=debian\n']);
    await expect(src.openBlob('sha256:' + '0'.repeat(64))).rejects.toThrow(/not part of image/);
  });

  it('needs a tag when the layout holds several images, and says which exist', async () => {
    await expect(openImageSource(`oci:${join(dir, 'layout')}`)).rejects.toThrow(/holds 2 images; name one \(one, two\)/);
    await expect(openImageSource(`oci:${join(dir, 'layout')}:nope`)).rejects.toThrow(/no image tagged "nope"/);
    // A plain directory with an oci-layout file is recognised without the prefix too.
    await expect(openImageSource(join(dir, 'layout'))).rejects.toThrow(/name one/);
  });

  it('fails a layer stream whose bytes do not match the digest (tampered blob)', async () => {
    const copy = join(dir, 'tampered');
    await writeOciLayout(copy, [{ tag: 't', image }]);
    const layer = image.layers[1]!;
    const tampered = await makeImage([[{ name: 'app/x', content: 'EVIL' }]]);
    await writeFile(join(copy, 'blobs/sha256', layer.digest.slice(7)), tampered.layers[0]!.bytes);
    const src = await openImageSource(`oci:${copy}:t`);
    await expect(listLayer(src, 1)).rejects.toBeInstanceOf(Error);
    await expect(listLayer(src, 1)).rejects.toThrow(/digest|larger|bytes/);
    // Same size, still a valid tar, different bytes: only the digest check can catch it.
    const plain = await makeImage([[{ name: 'app/x', content: 'x' }]], {}, { compress: false });
    const copy2 = join(dir, 'tampered-plain');
    await writeOciLayout(copy2, [{ tag: 't', image: plain }]);
    const bytes = Buffer.from(plain.layers[0]!.bytes);
    expect(bytes.toString('latin1', 512, 513)).toBe('x');
    bytes.write('y', 512, 'latin1');
    await writeFile(join(copy2, 'blobs/sha256', plain.layers[0]!.digest.slice(7)), bytes);
    const src2 = await openImageSource(`oci:${copy2}:t`);
    await expect(listLayer(src2, 0)).rejects.toBeInstanceOf(BlobDigestMismatchError);
  });

  it('refuses a tampered config', async () => {
    const copy = join(dir, 'badconfig');
    await writeOciLayout(copy, [{ tag: 't', image }]);
    await writeFile(join(copy, 'blobs/sha256', image.configDigest.slice(7)), image.configBytes.toString().replace('app', 'ppa'));
    await expect(openImageSource(`oci:${copy}:t`)).rejects.toBeInstanceOf(BlobDigestMismatchError);
  });
});

describe('multi-platform index', () => {
  it('selects the platform asked for', async () => {
    const arm = await makeImage([[{ name: 'arm', content: 'a' }]], {}, { platform: { os: 'linux', architecture: 'arm64' } });
    const index = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MediaType.OciIndex,
        manifests: [
          { mediaType: MediaType.OciManifest, digest: image.manifestDigest, size: image.manifestBytes.length, platform: { os: 'linux', architecture: 'amd64' } },
          { mediaType: MediaType.OciManifest, digest: arm.manifestDigest, size: arm.manifestBytes.length, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
        ],
      }),
    );
    const blobs = new Map([...image.blobs, ...arm.blobs]);
    const fetchBlob = async (d: string) => Readable.from([blobs.get(d)!]);
    const a = await sourceFromManifest({ ref: 'x', manifestBytes: index, fetchBlob, platform: 'linux/arm64' });
    expect(a.manifestDigest).toBe(arm.manifestDigest);
    expect(a.config.architecture).toBe('arm64');
    const b = await sourceFromManifest({ ref: 'x', manifestBytes: index, fetchBlob });
    expect(b.manifestDigest).toBe(image.manifestDigest);
    await expect(sourceFromManifest({ ref: 'x', manifestBytes: index, fetchBlob, platform: 'linux/s390x' })).rejects.toThrow(
      /no image for platform linux\/s390x .*linux\/amd64, linux\/arm64\/v8/,
    );
  });
});

describe('archives', () => {
  it('reads an oci-archive in place', async () => {
    const entries = [{ name: 'oci-layout', content: '{"imageLayoutVersion":"1.0.0"}' }];
    const layout = join(dir, 'layout');
    const names = ['index.json', ...[...image.blobs.keys(), ...other.blobs.keys()].map((d) => `blobs/sha256/${d.slice(7)}`)];
    for (const n of names) entries.push({ name: n, content: (await readFile(join(layout, n))).toString('latin1') });
    const tarBytes = await makeTar(entries.map((e) => ({ name: e.name, content: Buffer.from(e.content, 'latin1') })));
    await writeFile(join(dir, 'img.tar'), tarBytes);
    const src = await openImageSource(`oci-archive:${join(dir, 'img.tar')}:one`);
    expect(src.manifestDigest).toBe(image.manifestDigest);
    expect(await listLayer(src, 1)).toEqual(['file /app/x x']);
  });

  it('reads a docker-archive (docker save) and picks the image by RepoTags', async () => {
    const layerIds = image.layers.map((_, i) => `layer${i}/layer.tar`);
    const saveManifest = [
      { Config: 'cfg.json', RepoTags: ['example.com/app:1.0'], Layers: layerIds },
      { Config: 'cfg.json', RepoTags: ['other:latest'], Layers: layerIds },
    ];
    const tarBytes = await makeTar([
      { name: 'manifest.json', content: JSON.stringify(saveManifest) },
      { name: 'cfg.json', content: image.configBytes },
      ...image.layers.map((l, i) => ({ name: layerIds[i]!, content: l.raw })),
    ]);
    await writeFile(join(dir, 'save.tar'), tarBytes);
    const src = await openImageSource(`docker-archive:${join(dir, 'save.tar')}:example.com/app:1.0`);
    expect(src.configDigest).toBe(image.configDigest);
    expect(src.layers.map((l) => l.digest)).toEqual(image.layers.map((l) => l.diffId));
    expect(await listLayer(src, 0)).toEqual(['file /etc/os-release ID=debian\n']);
    await expect(openImageSource(`docker-archive:${join(dir, 'save.tar')}`)).rejects.toThrow(/name one/);
    // The plain path is sniffed as a docker-archive; it holds two images so it still needs a name.
    await expect(openImageSource(join(dir, 'save.tar'))).rejects.toThrow(/holds 2 images/);
  });

  it('refuses compressed archives with a clear message', async () => {
    const { gzipSync } = await import('node:zlib');
    await writeFile(join(dir, 'c.tar.gz'), gzipSync(await makeTar([{ name: 'index.json', content: '{}' }])));
    await expect(openImageSource(`oci-archive:${join(dir, 'c.tar.gz')}`)).rejects.toThrow(/compressed/);
  });
});

describe('rootfs source', () => {
  it('presents a host directory as one synthetic layer without following symlinks out of it', async () => {
    const root = join(dir, 'rootfs');
    await mkdir(join(root, 'etc'), { recursive: true });
    await writeFile(join(root, 'etc/os-release'), 'ID=alpine\n');
    await writeFile(join(root, 'secret'), 'inside');
    await chmod(join(root, 'secret'), 0o4755);
    await writeFile(join(dir, 'outside'), 'OUTSIDE-CONTENT');
    await symlink(join(dir, 'outside'), join(root, 'escape'));
    await symlink('../../../../outside', join(root, 'etc/rel-escape'));
    const src = await openImageSource(`rootfs:${root}`);
    expect(src.synthetic).toBe(true);
    const seen: string[] = [];
    for await (const e of readLayer(await src.openBlob(src.layers[0]!.digest))) {
      seen.push(`${e.type} ${e.path} ${e.mode.toString(8)} ${e.type === 'file' ? (await e.read()).toString() : (e.linkTarget ?? '')}`);
    }
    expect(seen).toEqual([
      `symlink /escape 777 ${join(dir, 'outside')}`,
      'dir /etc 755 ',
      'file /etc/os-release 644 ID=alpine\n',
      'symlink /etc/rel-escape 777 ../../../../outside',
      'file /secret 4755 inside',
    ]);
    expect(seen.join('\n')).not.toContain('OUTSIDE-CONTENT');
    // The same tree gives the same synthetic digest.
    expect((await openImageSource(`rootfs:${root}`)).layers[0]!.digest).toBe(src.layers[0]!.digest);
  });
});

describe('remote source (docker://)', () => {
  const registry = new FakeRegistry();
  let host: string;
  beforeAll(async () => {
    host = await registry.start();
    for (const [d, b] of image.blobs) registry.blobs.set(d, b);
    const stored = { bytes: image.manifestBytes, mediaType: MediaType.OciManifest, digest: image.manifestDigest };
    registry.manifests.set('team/app', new Map([['1.0', stored], [image.manifestDigest, stored]]));
  });
  afterAll(() => registry.stop());

  it('pulls manifest, config and layers by tag and by digest', async () => {
    const byTag = await openImageSource(`docker://${host}/team/app:1.0`, { client: { credentials: {} as never } });
    try {
      expect(byTag.manifestDigest).toBe(image.manifestDigest);
      expect(await listLayer(byTag, 1)).toEqual(['file /app/x x']);
    } finally {
      await byTag.close();
    }
    const byDigest = await openImageSource(`docker://${host}/team/app@${image.manifestDigest}`);
    expect(byDigest.config.config?.User).toBe('app');
    await byDigest.close();
    expect(digestOf(image.manifestBytes)).toBe(image.manifestDigest);
  });
});
