import { RegistryClient, defaultCredentials, referenceTarget, type RegistryClientOptions } from '../client/index.js';
import { sourceFromManifest } from './from-manifest.js';
import type { ImageSource, OpenSourceOptions } from './types.js';

export interface RemoteSourceOptions extends OpenSourceOptions {
  client?: Omit<RegistryClientOptions, 'registry'>;
}

/** `docker://host/repo:tag` or `docker://host/repo@digest`: an image in a registry (index → platform). */
export async function openRemote(reference: string, opts: RemoteSourceOptions = {}): Promise<ImageSource> {
  const { client, ref } = RegistryClient.forReference(reference, { credentials: defaultCredentials(), ...opts.client });
  try {
    const top = await client.getManifest(ref.repository, referenceTarget(ref));
    return await sourceFromManifest({
      ...opts,
      ref: `docker://${reference}`,
      manifestBytes: top.bytes,
      contentType: top.mediaType,
      expectedDigest: top.digest,
      fetchBlob: async (digest, size) => (await client.getBlob(ref.repository, digest, size)).stream,
      fetchManifest: async (digest) => {
        const m = await client.getManifest(ref.repository, digest);
        return { bytes: m.bytes, contentType: m.mediaType };
      },
      close: () => client.close(),
    });
  } catch (err) {
    await client.close();
    throw err;
  }
}
