import { digestOf } from '../image/digest.js';
import { MediaType } from '../image/mediatypes.js';
import type { RegistryClient } from '../image/client/index.js';

const MINIMAL_CONFIG = { architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] as string[] } };

/** Pushes a one-layer OCI image through the client; returns its manifest digest. */
export async function pushOneLayerImage(
  client: RegistryClient,
  repo: string,
  tag: string,
  layer: Buffer,
  opts: { layerMediaType?: string; config?: object } = {},
): Promise<string> {
  const config = Buffer.from(JSON.stringify(opts.config ?? MINIMAL_CONFIG));
  await client.uploadBlob(repo, config);
  await client.uploadBlob(repo, layer);
  const manifest = oneLayerManifest(config, layer, opts.layerMediaType);
  return (await client.putManifest(repo, tag, manifest, MediaType.OciManifest)).digest;
}

/** The bytes of a one-layer OCI image manifest over `config` and `layer`. */
export function oneLayerManifest(config: Buffer, layer: Buffer, layerMediaType: string = MediaType.OciLayerTar): Buffer {
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaType.OciManifest,
      config: { mediaType: MediaType.OciConfig, digest: digestOf(config), size: config.length },
      layers: [{ mediaType: layerMediaType, digest: digestOf(layer), size: layer.length }],
    }),
  );
}
