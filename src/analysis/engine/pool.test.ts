import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sourceFromManifest } from '../../image/sources/from-manifest.js';
import { makeImage, type FixtureImage } from '../../image/sources/testing/image.js';
import { BlobDigestMismatchError } from '../../image/sources/types.js';
import { ANALYZERS } from '../analyzers/index.js';
import { analyzeImage } from './image.js';
import { AnalysisPool } from './pool.js';
import { bundleWorkerForTests } from './testing/worker-bundle.js';

let workerFile: string;
let pool: AnalysisPool;
let image: FixtureImage;

beforeAll(async () => {
  workerFile = await bundleWorkerForTests();
  pool = await AnalysisPool.create({ workerFile, maxThreads: 2 });
  const status = 'Package: libc6\nStatus: install ok installed\nVersion: 2.36-9\nArchitecture: amd64\n\nPackage: zlib1g\nStatus: install ok installed\nVersion: 1:1.2.13\nArchitecture: amd64\nSource: zlib\n\n';
  image = await makeImage([
    [
      { name: 'etc/os-release', content: 'ID=debian\nVERSION_ID="12"\nNAME="Debian GNU/Linux"\n' },
      { name: 'var/lib/dpkg/status', content: status },
      ...Array.from({ length: 300 }, (_, i) => ({ name: `filler/${i}`, content: 'z'.repeat(5000 + i) })),
    ],
    [{ name: 'app/package.json', content: JSON.stringify({ name: 'app', version: '1.2.3' }) }],
  ]);
});

afterAll(async () => {
  await pool?.close();
  if (workerFile) await rm(dirname(workerFile), { recursive: true, force: true });
});

const sourceOf = (blobs: Map<string, Buffer>) =>
  sourceFromManifest({ ref: 'fixture', manifestBytes: image.manifestBytes, fetchBlob: async (d) => Readable.from([blobs.get(d)!]) });

describe('AnalysisPool', () => {
  it('analyses layers in worker threads with the same result as in-thread analysis', async () => {
    const inThread = await analyzeImage(await sourceOf(image.blobs));
    const pooled = await analyzeImage(await sourceOf(image.blobs), { runner: pool });
    expect(pool.threads).toBeGreaterThan(0);
    expect(pooled.inventory).toEqual(inThread.inventory);
    expect(pooled.inventory.packages.map((p) => `${p.type}:${p.name}@${p.version}`)).toEqual(['dpkg:libc6@2.36-9', 'dpkg:zlib1g@1:1.2.13', 'npm:app@1.2.3']);
    expect(pool.ids).toEqual(inThread.layers[0]!.analyzers);
    expect(pool.ids).toHaveLength(ANALYZERS.length);
  });

  it('takes a raw blob stream and media type (the registry path), chunked with back-pressure', async () => {
    const layer = image.layers[0]!;
    const parts: Buffer[] = [];
    for (let i = 0; i < layer.bytes.length; i += 1000) parts.push(layer.bytes.subarray(i, i + 1000));
    const facts = await pool.analyzeLayer(Readable.from(parts), { layerDigest: layer.digest, mediaType: layer.mediaType });
    expect(facts.packages).toHaveLength(2);
    expect(facts.os).toMatchObject({ family: 'debian', release: '12' });
  });

  it('passes a digest mismatch through as the original error', async () => {
    const blobs = new Map(image.blobs);
    blobs.set(image.layers[1]!.digest, Buffer.concat([image.layers[1]!.bytes.subarray(0, 10), Buffer.alloc(image.layers[1]!.bytes.length - 10)]));
    const err = await analyzeImage(await sourceOf(blobs), { runner: pool }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    const direct = await pool
      .analyzeLayer(Readable.from([Buffer.from('x')]).pipe(new (await import('../../image/sources/verify.js')).VerifyDigestStream(image.layers[1]!.digest)), {
        layerDigest: image.layers[1]!.digest,
      })
      .catch((e: unknown) => e);
    expect(direct).toBeInstanceOf(BlobDigestMismatchError);
  });
});
