/** Generates an OCI layout holding one 1 GiB image of 8 uncompressed layers (random, incompressible). */
import { createHash, randomFillSync } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { MediaType } from '../src/image/mediatypes.js';

const LAYERS = 8;
const LAYER_BYTES = 128 * 1024 * 1024;

function tarHeader(name: string, size: number): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100);
  h.write('0000644\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(size.toString(8).padStart(11, '0') + '\0', 124);
  h.write('00000000000\0', 136);
  h.write('        ', 148);
  h.write('0', 156);
  h.write('ustar\0' + '00', 257);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  return h;
}

async function writeBlob(dir: string, parts: () => Generator<Buffer>): Promise<{ digest: string; size: number }> {
  const tmp = join(dir, 'tmp');
  const hash = createHash('sha256');
  const out = createWriteStream(tmp);
  let size = 0;
  for (const part of parts()) {
    hash.update(part);
    size += part.length;
    if (!out.write(part)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  out.end();
  await finished(out);
  const hex = hash.digest('hex');
  await rename(tmp, join(dir, hex));
  return { digest: `sha256:${hex}`, size };
}

export async function makeBigImage(layout: string): Promise<string> {
  const blobs = join(layout, 'blobs', 'sha256');
  await mkdir(blobs, { recursive: true });
  const layers: { digest: string; size: number }[] = [];
  const diffIds: string[] = [];
  for (let i = 0; i < LAYERS; i++) {
    const layer = await writeBlob(blobs, function* () {
      yield tarHeader(`data-${i}.bin`, LAYER_BYTES);
      const chunk = Buffer.alloc(1 << 20);
      for (let done = 0; done < LAYER_BYTES; done += chunk.length) yield randomFillSync(chunk);
      yield Buffer.alloc(1024);
    });
    layers.push(layer);
    diffIds.push(layer.digest);
  }
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: diffIds }, config: {} }));
  const cfg = await writeBlob(blobs, function* () {
    yield config;
  });
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaType.OciManifest,
      config: { mediaType: MediaType.OciConfig, ...cfg },
      layers: layers.map((l) => ({ mediaType: MediaType.OciLayerTar, ...l })),
    }),
  );
  const m = await writeBlob(blobs, function* () {
    yield manifest;
  });
  await writeFile(join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  await writeFile(
    join(layout, 'index.json'),
    JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: MediaType.OciManifest, ...m, annotations: { 'org.opencontainers.image.ref.name': 'big' } }] }),
  );
  return layout;
}
