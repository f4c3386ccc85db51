import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sourceFromManifest } from '../../image/sources/from-manifest.js';
import { openImageSource } from '../../image/sources/parse.js';
import { makeImage, writeOciLayout, type FixtureImage } from '../../image/sources/testing/image.js';
import { BlobDigestMismatchError } from '../../image/sources/types.js';
import type { Analyzer } from '../analyzer.js';
import type { Package } from '../types.js';
import { analyzeImage } from './image.js';
import { analyzeLayer } from './layer.js';
import { DiskLayerCache, MemoryLayerCache, layerCacheKey } from './cache.js';
import type { FileVisitor } from './types.js';

/** Tiny analyzers: "db" files list packages "name version" per line; os files name the OS. */
const calls: string[] = [];
const dbAnalyzer: Analyzer = {
  name: 'db',
  version: 1,
  wants: (m) => m.path.endsWith('.db'),
  analyze(input) {
    calls.push(`db:${input.files.map((f) => f.meta.path).join(',')}`);
    const packages: Package[] = [];
    for (const f of input.files) {
      for (const line of f.content.toString().split('\n').filter(Boolean)) {
        const [name, version] = line.split(' ');
        if (name === 'CRASH') throw new Error('corrupt database');
        packages.push({ type: 'dpkg', ecosystem: input.os ? `Debian:${input.os.release}` : 'Debian', name: name!, version: version!, purl: `pkg:deb/debian/${name}@${version}`, path: f.meta.path });
      }
    }
    return { packages, fileOwners: { '/usr/share/lib/package.json': 'libowner', '/x/gone.json': 'libowner' } };
  },
};
const osAnalyzer: Analyzer = {
  name: 'os',
  version: 3,
  wants: (m) => m.path === '/etc/os-release',
  analyze: (input) => ({ os: { family: 'debian', name: 'Debian', release: input.files[0]!.content.toString().trim() } }),
};
const jsonAnalyzer: Analyzer = {
  name: 'json',
  version: 1,
  maxFileSize: 100,
  wants: (m) => m.path.endsWith('package.json'),
  analyze: (input) => ({
    packages: input.files.map((f) => {
      const d = JSON.parse(f.content.toString()) as { name: string; version: string };
      return { type: 'npm' as const, ecosystem: 'npm', name: d.name, version: d.version, purl: `pkg:npm/${d.name}@${d.version}`, path: f.meta.path };
    }),
  }),
};
const analyzers = [osAnalyzer, dbAnalyzer, jsonAnalyzer];
const pj = (name: string, version: string) => JSON.stringify({ name, version });

let image: FixtureImage;
beforeAll(async () => {
  image = await makeImage([
    [
      { name: 'etc/os-release', content: '12' },
      { name: 'var/lib/pkgs.db', content: 'libc 1\nlibowner 2\nold 1\n' },
      { name: 'opt/a.db', content: 'gone-later 1\n' },
      { name: 'usr/share/lib/package.json', content: pj('ownedlib', '1.0.0') },
      { name: 'app/node_modules/left/package.json', content: pj('left', '1.0.0') },
      { name: 'root/.npmrc', content: '_authToken=npm_SECRET' },
    ],
    [
      // A later database supersedes the earlier one at the same path.
      { name: 'var/lib/pkgs.db', content: 'libc 2\nlibowner 2\nnew 1\n' },
      { name: 'opt/.wh.a.db' },
      { name: 'app/node_modules/.wh..wh..opq' },
      { name: 'app/node_modules/right/package.json', content: pj('right', '2.0.0') },
      { name: 'root/.wh..npmrc' },
      { name: 'big/package.json', content: pj('x'.repeat(200), '1') },
    ],
  ]);
});

function sourceOf(img: FixtureImage, blobs = img.blobs) {
  return sourceFromManifest({ ref: 'fixture', manifestBytes: img.manifestBytes, fetchBlob: async (d) => Readable.from([blobs.get(d)!]) });
}

describe('analyzeImage', () => {
  it('merges layers: supersession, whiteouts, opaque dirs, ownership, OS, layer digests', async () => {
    const { inventory, layers } = await analyzeImage(await sourceOf(image), { analyzers });
    const rows = inventory.packages.map((p) => `${p.type} ${p.name}@${p.version} ${p.path} L${image.layers.findIndex((l) => l.digest === p.layerDigest)}${p.ownedBy ? ` owned:${p.ownedBy}` : ''}`);
    expect(rows).toEqual([
      'dpkg libc@2 /var/lib/pkgs.db L1',
      'dpkg libowner@2 /var/lib/pkgs.db L1',
      'dpkg new@1 /var/lib/pkgs.db L1',
      'npm ownedlib@1.0.0 /usr/share/lib/package.json L0 owned:libowner',
      'npm right@2.0.0 /app/node_modules/right/package.json L1',
    ]);
    // Layer 1's OS packages get the release from the image OS although its layer has no os-release.
    expect(inventory.packages[0]!.ecosystem).toBe('Debian:12');
    expect(inventory.packages[0]!.purl).toBe('pkg:deb/debian/libc@2?distro=debian-12');
    expect(inventory.os).toMatchObject({ family: 'debian', release: '12' });
    expect(inventory.digest).toBe(image.manifestDigest);
    expect(layers[1]!.whiteouts).toEqual(['/opt/a.db', '/root/.npmrc']);
    expect(layers[1]!.opaqueDirs).toEqual(['/app/node_modules']);
    expect(inventory.warnings.map((w) => w.code)).toEqual(['file-too-large']);
    expect(layers[0]!.analyzers).toEqual(['db@1', 'json@1', 'os@3']);
  });

  it('shows every file of every layer to visitors in the same pass, deleted ones included', async () => {
    const seen: string[] = [];
    const visitor: FileVisitor = {
      name: 'secrets',
      version: 1,
      wants: (m) => m.path.endsWith('.npmrc'),
      visit: (m, content, index, digest) => seen.push(`${m.path} ${content.toString()} ${index} ${digest === image.layers[index]!.digest}`),
    };
    const { vfs } = await analyzeImage(await sourceOf(image), { analyzers, visitors: [visitor], vfs: true });
    expect(seen).toEqual(['/root/.npmrc _authToken=npm_SECRET 0 true']);
    expect(vfs!.exists('/root/.npmrc')).toBe(false);
    expect(vfs!.readdir('/app/node_modules')).toEqual(['right']);
  });

  it('serves layers from the cache by (digest, analyzer versions) and stores visitor results', async () => {
    const cache = new MemoryLayerCache(10);
    calls.length = 0;
    let visited = 0;
    const visitor: FileVisitor = { name: 'count', version: 1, wants: () => true, visit: () => void visited++, collect: () => ({ visited }) };
    const first = await analyzeImage(await sourceOf(image), { analyzers, cache, visitors: [visitor] });
    expect(calls).toHaveLength(2);
    expect(cache.size).toBe(2);
    const second = await analyzeImage(await sourceOf(image), { analyzers, cache, visitors: [visitor] });
    expect(calls).toHaveLength(2);
    expect(second.inventory).toEqual(first.inventory);
    expect(second.layers[0]!.extra).toEqual({ count: { visited: 6 } });
    // A new analyzer version is a different key.
    await analyzeImage(await sourceOf(image), { analyzers: [osAnalyzer, { ...dbAnalyzer, version: 2 }, jsonAnalyzer], cache });
    expect(calls).toHaveLength(4);
    expect(layerCacheKey('sha256:x', ['b@1', 'a@2'])).toBe('sha256:x|a@2,b@1');
  });

  it('keeps a disk cache across instances; unreadable entries are misses', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'portcullis-cache-'));
    try {
      const cache = new DiskLayerCache(dir);
      const a = await analyzeImage(await sourceOf(image), { analyzers, cache });
      calls.length = 0;
      const b = await analyzeImage(await sourceOf(image), { analyzers, cache: new DiskLayerCache(dir) });
      expect(calls).toHaveLength(0);
      expect(b.inventory).toEqual(a.inventory);
      // Corrupt entries are misses: the layers are analysed again and the entries rewritten.
      for (const f of await readdir(dir)) await writeFile(join(dir, f), '{');
      const c = await analyzeImage(await sourceOf(image), { analyzers, cache: new DiskLayerCache(dir) });
      expect(calls).toHaveLength(2);
      expect(c.inventory).toEqual(a.inventory);
      expect(await cache.get('nope')).toBeUndefined();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('turns a crashing analyzer and a corrupt layer into warnings, but throws on a digest mismatch', async () => {
    const bad = await makeImage([[{ name: 'x.db', content: 'CRASH 1\n' }]]);
    const r = await analyzeImage(await sourceOf(bad), { analyzers });
    expect(r.inventory.warnings.map((w) => w.code)).toEqual(['analyzer-failed']);

    const facts = await analyzeLayer(Readable.from([Buffer.from('definitely not a tar archive, but long enough to fill one header block'.repeat(10))]), {
      layerDigest: 'sha256:x',
      analyzers,
    });
    expect(facts.warnings.map((w) => w.code)).toEqual(['layer-corrupt-tar']);

    const blobs = new Map(image.blobs);
    blobs.set(image.layers[1]!.digest, image.layers[0]!.bytes);
    await expect(analyzeImage(await sourceOf(image, blobs), { analyzers })).rejects.toThrow(/digest|bytes|larger/);
    const plain = await makeImage([[{ name: 'a.db', content: 'p 1\n' }]], {}, { compress: false });
    const tampered = new Map(plain.blobs);
    const bytes = Buffer.from(plain.layers[0]!.bytes);
    bytes.write('q', 512, 'latin1');
    tampered.set(plain.layers[0]!.digest, bytes);
    await expect(analyzeImage(await sourceOf(plain, tampered), { analyzers })).rejects.toBeInstanceOf(BlobDigestMismatchError);
  });

  it('reports progress per layer', async () => {
    const events: string[] = [];
    await analyzeImage(await sourceOf(image), { analyzers, onProgress: (p) => p.done && events.push(`${p.layerIndex}/${p.layerCount}`) });
    expect(events).toEqual(['0/2', '1/2']);
  });
});

describe('analyzeImage with a rootfs directory', () => {
  it('analyses the host tree as one layer and never caches its synthetic digest', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'portcullis-rootfs-'));
    try {
      await mkdir(join(dir, 'etc'), { recursive: true });
      await writeFile(join(dir, 'etc/os-release'), '13');
      await writeFile(join(dir, 'pkgs.db'), 'a 1\n');
      const cache = new MemoryLayerCache();
      const { inventory } = await analyzeImage(await openImageSource(`rootfs:${dir}`), { analyzers, cache });
      expect(inventory.packages.map((p) => `${p.name}@${p.version} ${p.ecosystem}`)).toEqual(['a@1 Debian:13']);
      expect(cache.size).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('analyzeImage with an OCI layout source', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'portcullis-eng-'));
    await writeOciLayout(dir, [{ tag: 't', image }]);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));
  it('gives the same inventory as any other source', async () => {
    const a = await analyzeImage(await openImageSource(`oci:${dir}:t`), { analyzers });
    const b = await analyzeImage(await sourceOf(image), { analyzers });
    expect(a.inventory).toEqual(b.inventory);
  });
});
