import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseDigest } from '../digest.js';
import { MediaType } from '../mediatypes.js';
import { sourceFromManifest, MAX_JSON_BYTES } from './from-manifest.js';
import { SourceError, type ImageSource, type OpenSourceOptions } from './types.js';
import { readAllBounded, verified } from './verify.js';
import type { Descriptor } from '../manifest.js';

const REF_NAME = 'org.opencontainers.image.ref.name';

/** Path of a blob inside an OCI layout; the digest is validated so it cannot name anything else. */
export function blobPath(dir: string, digest: string): string {
  const d = parseDigest(digest);
  if (!d) throw new SourceError(`invalid digest ${digest}`);
  return join(dir, 'blobs', d.algorithm, d.hex);
}

/** Picks the index.json entry for a tag (org.opencontainers.image.ref.name), or the only one. */
export function selectByRefName(manifests: Descriptor[], tag: string | undefined, where: string): Descriptor {
  if (tag === undefined) {
    if (manifests.length === 1) return manifests[0]!;
    const names = manifests.map((m) => m.annotations?.[REF_NAME]).filter(Boolean);
    throw new SourceError(`${where} holds ${manifests.length} images; name one (${names.join(', ')})`);
  }
  const hit = manifests.find((m) => m.annotations?.[REF_NAME] === tag) ?? manifests.find((m) => m.digest === tag);
  if (!hit) throw new SourceError(`no image tagged "${tag}" in ${where}`);
  return hit;
}

/** `oci:DIR[:TAG]`: an OCI image layout directory. */
export async function openOciLayout(dir: string, tag: string | undefined, opts: OpenSourceOptions = {}): Promise<ImageSource> {
  let indexBytes: Buffer;
  try {
    const st = await stat(join(dir, 'index.json'));
    if (st.size > MAX_JSON_BYTES) throw new SourceError(`${dir}/index.json is too large`);
    indexBytes = await readFile(join(dir, 'index.json'));
  } catch (err) {
    if (err instanceof SourceError) throw err;
    throw new SourceError(`${dir} is not an OCI image layout (no readable index.json)`, { cause: err });
  }
  let index: { manifests?: Descriptor[] };
  try {
    index = JSON.parse(indexBytes.toString('utf8')) as { manifests?: Descriptor[] };
  } catch {
    throw new SourceError(`${dir}/index.json is not valid JSON`);
  }
  const entry = selectByRefName(index.manifests ?? [], tag, dir);
  const fetchBlob = async (digest: string) => {
    const path = blobPath(dir, digest);
    const s = createReadStream(path);
    await new Promise<void>((resolve, reject) => {
      s.once('open', () => resolve());
      s.once('error', (err) => reject(new SourceError(`blob ${digest} missing from ${dir}`, { cause: err })));
    });
    return s;
  };
  const manifestStream = await fetchBlob(entry.digest);
  const manifestBytes = await readAllBounded(verified(manifestStream, entry.digest), MAX_JSON_BYTES, 'manifest');
  return sourceFromManifest({
    ...opts,
    ref: `oci:${dir}${tag ? `:${tag}` : ''}`,
    manifestBytes,
    contentType: entry.mediaType || MediaType.OciManifest,
    fetchBlob,
  });
}
