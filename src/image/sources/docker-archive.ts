import { z } from 'zod';
import { parseImageConfig } from '../config.js';
import { digestOf, parseDigest } from '../digest.js';
import { MediaType } from '../mediatypes.js';
import { sourceFromManifest, MAX_JSON_BYTES } from './from-manifest.js';
import { TarFileIndex } from './tar-index.js';
import { SourceError, type ImageSource, type OpenSourceOptions } from './types.js';

const DOCKER_LAYER_TAR = 'application/vnd.docker.image.rootfs.diff.tar';

const saveManifestSchema = z.array(
  z.object({ Config: z.string(), RepoTags: z.array(z.string()).nullish(), Layers: z.array(z.string()) }).passthrough(),
);

/**
 * `docker-archive:FILE[:REPO:TAG]`: the `docker save` format (manifest.json + config + layer tars).
 * There is no stored registry manifest, so one is synthesised from the config and layers (as skopeo
 * does); layer digests are the uncompressed tars' digests, i.e. the config's diff_ids.
 */
export async function openDockerArchive(file: string, tag: string | undefined, opts: OpenSourceOptions = {}): Promise<ImageSource> {
  const index = await TarFileIndex.build(file);
  if (!index.has('manifest.json')) throw new SourceError(`${file} is not a docker-archive (no manifest.json)`);
  let entries: z.infer<typeof saveManifestSchema>;
  try {
    entries = saveManifestSchema.parse(JSON.parse((await index.readSmall('manifest.json', MAX_JSON_BYTES)).toString('utf8')));
  } catch (err) {
    if (err instanceof SourceError) throw err;
    throw new SourceError(`${file}: manifest.json is not a docker save manifest`, { cause: err });
  }
  const entry = pickEntry(entries, tag, file);
  const configBytes = await index.readSmall(entry.Config, MAX_JSON_BYTES);
  const configDigest = digestOf(configBytes);
  const diffIds = parseImageConfig(configBytes).rootfs?.diff_ids ?? [];
  const byDigest = new Map<string, string>([[configDigest, entry.Config]]);
  const layers = entry.Layers.map((path, i) => {
    const member = index.get(path);
    if (!member) throw new SourceError(`${file}: layer ${path} is missing`);
    const named = /(?:^|\/)blobs\/(sha256|sha512)\/([a-f0-9]+)$/.exec(path);
    const digest = named ? `${named[1]}:${named[2]}` : diffIds[i];
    if (!digest || !parseDigest(digest)) throw new SourceError(`${file}: no digest for layer ${path} (config lacks diff_ids)`);
    byDigest.set(digest, path);
    return { mediaType: DOCKER_LAYER_TAR, size: member.size, digest };
  });
  const manifest = {
    schemaVersion: 2,
    mediaType: MediaType.DockerManifest,
    config: { mediaType: MediaType.DockerConfig, size: configBytes.length, digest: configDigest },
    layers,
  };
  return sourceFromManifest({
    ...opts,
    ref: `docker-archive:${file}${tag ? `:${tag}` : ''}`,
    manifestBytes: Buffer.from(JSON.stringify(manifest)),
    contentType: MediaType.DockerManifest,
    fetchBlob: async (digest) => {
      const path = byDigest.get(digest);
      if (!path) throw new SourceError(`blob ${digest} not in ${file}`);
      return index.open(path);
    },
  });
}

function pickEntry<T extends { RepoTags?: string[] | null }>(entries: T[], tag: string | undefined, file: string): T {
  if (entries.length === 0) throw new SourceError(`${file} holds no image`);
  if (tag === undefined) {
    if (entries.length === 1) return entries[0]!;
    throw new SourceError(`${file} holds ${entries.length} images; name one (${entries.flatMap((e) => e.RepoTags ?? []).join(', ')})`);
  }
  if (/^@\d+$/.test(tag)) {
    const hit = entries[Number(tag.slice(1))];
    if (hit) return hit;
  }
  const want = tag.includes(':') ? tag : `${tag}:latest`;
  const hit = entries.find((e) => (e.RepoTags ?? []).some((t) => t === tag || t === want || t.endsWith(`/${want}`)));
  if (!hit) throw new SourceError(`no image "${tag}" in ${file}`);
  return hit;
}
