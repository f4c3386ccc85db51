import { MediaType } from '../mediatypes.js';
import type { Descriptor } from '../manifest.js';
import { sourceFromManifest, MAX_JSON_BYTES } from './from-manifest.js';
import { blobPath, selectByRefName } from './oci-layout.js';
import { TarFileIndex } from './tar-index.js';
import { SourceError, type ImageSource, type OpenSourceOptions } from './types.js';

/** `oci-archive:FILE[:TAG]`: an OCI layout packed in a plain tar, read in place. */
export async function openOciArchive(file: string, tag: string | undefined, opts: OpenSourceOptions = {}): Promise<ImageSource> {
  const index = await TarFileIndex.build(file);
  if (!index.has('index.json')) throw new SourceError(`${file} is not an OCI archive (no index.json)`);
  let doc: { manifests?: Descriptor[] };
  try {
    doc = JSON.parse((await index.readSmall('index.json', MAX_JSON_BYTES)).toString('utf8')) as { manifests?: Descriptor[] };
  } catch (err) {
    if (err instanceof SourceError) throw err;
    throw new SourceError(`${file}: index.json is not valid JSON`);
  }
  const entry = selectByRefName(doc.manifests ?? [], tag, file);
  const fetchBlob = async (digest: string) => index.open(blobPath('/', digest));
  const manifestBytes = await index.readSmall(blobPath('/', entry.digest), MAX_JSON_BYTES);
  return sourceFromManifest({
    ...opts,
    ref: `oci-archive:${file}${tag ? `:${tag}` : ''}`,
    manifestBytes,
    expectedDigest: entry.digest,
    contentType: entry.mediaType || MediaType.OciManifest,
    fetchBlob,
  });
}
