import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { digestOf } from '../../digest.js';
import { MediaType } from '../../mediatypes.js';
import { makeTar, makeTarGz, type FixtureEntry } from '../../layers/testing/tar.js';

export interface FixtureImage {
  manifestBytes: Buffer;
  manifestDigest: string;
  configBytes: Buffer;
  configDigest: string;
  layers: { digest: string; mediaType: string; size: number; diffId: string; raw: Buffer; bytes: Buffer }[];
  blobs: Map<string, Buffer>;
}

/** Builds a small OCI image in memory from layer entry lists (gzip layers). */
export async function makeImage(
  layers: FixtureEntry[][],
  config: Record<string, unknown> = {},
  opts: { compress?: boolean; platform?: { os: string; architecture: string } } = {},
): Promise<FixtureImage> {
  const built = [];
  for (const entries of layers) {
    const raw = await makeTar(entries);
    const bytes = opts.compress === false ? raw : await makeTarGz(entries);
    built.push({
      raw,
      bytes,
      digest: digestOf(bytes),
      diffId: digestOf(raw),
      size: bytes.length,
      mediaType: opts.compress === false ? MediaType.OciLayerTar : MediaType.OciLayerGzip,
    });
  }
  const configBytes = Buffer.from(
    JSON.stringify({
      architecture: opts.platform?.architecture ?? 'amd64',
      os: opts.platform?.os ?? 'linux',
      created: '2026-01-01T00:00:00Z',
      config: { User: 'app', Env: ['PATH=/usr/bin'], ...config },
      rootfs: { type: 'layers', diff_ids: built.map((l) => l.diffId) },
      history: built.map((_, i) => ({ created_by: `layer ${i}` })),
    }),
  );
  const configDigest = digestOf(configBytes);
  const manifestBytes = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaType.OciManifest,
      config: { mediaType: MediaType.OciConfig, digest: configDigest, size: configBytes.length },
      layers: built.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size })),
    }),
  );
  const manifestDigest = digestOf(manifestBytes);
  const blobs = new Map<string, Buffer>([
    [configDigest, configBytes],
    [manifestDigest, manifestBytes],
    ...built.map((l) => [l.digest, l.bytes] as [string, Buffer]),
  ]);
  return { manifestBytes, manifestDigest, configBytes, configDigest, layers: built, blobs };
}

/** Writes images into an OCI layout directory, tagging each with org.opencontainers.image.ref.name. */
export async function writeOciLayout(dir: string, images: { tag: string; image: FixtureImage }[]): Promise<void> {
  await mkdir(join(dir, 'blobs/sha256'), { recursive: true });
  await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  for (const { image } of images) {
    for (const [digest, bytes] of image.blobs) await writeFile(join(dir, 'blobs/sha256', digest.slice(7)), bytes);
  }
  const index = {
    schemaVersion: 2,
    manifests: images.map(({ tag, image }) => ({
      mediaType: MediaType.OciManifest,
      digest: image.manifestDigest,
      size: image.manifestBytes.length,
      annotations: { 'org.opencontainers.image.ref.name': tag },
    })),
  };
  await writeFile(join(dir, 'index.json'), JSON.stringify(index));
}
