import type { Readable } from 'node:stream';
import { parseImageConfig, ImageConfigError } from '../config.js';
import { digestOf } from '../digest.js';
import { parseManifest, ManifestError, type ImageManifest } from '../manifest.js';
import { parsePlatform, selectPlatform } from './platform.js';
import { readAllBounded, verified } from './verify.js';
import { SourceError, type ImageSource, type LayerDescriptor, type OpenSourceOptions } from './types.js';

export const MAX_JSON_BYTES = 4 * 1024 * 1024;

export interface BlobFetcher {
  /** Raw blob bytes (unverified: the source verifies them). */
  (digest: string, size?: number): Promise<Readable>;
}

export interface FromManifestOptions extends OpenSourceOptions {
  ref: string;
  /** The manifest or index bytes as stored (their digest is the image's digest). */
  manifestBytes: Uint8Array;
  contentType?: string;
  /** Reads blobs (config, layers, and child manifests of an index). */
  fetchBlob: BlobFetcher;
  /** Reads a child manifest of an index when manifests are not blobs (registries); defaults to fetchBlob. */
  fetchManifest?: (digest: string) => Promise<{ bytes: Uint8Array; contentType?: string }>;
  close?: () => Promise<void>;
  synthetic?: boolean;
  /** Digest the manifest bytes must have (the index entry or tag that pointed at them). */
  expectedDigest?: string;
}

/**
 * Builds an ImageSource from a manifest (resolving an index to one platform) and a blob reader.
 * Every source kind ends here, and so does the registry, which feeds blobs straight from its store.
 */
export async function sourceFromManifest(opts: FromManifestOptions): Promise<ImageSource> {
  const max = opts.maxJsonBytes ?? MAX_JSON_BYTES;
  const fetchJson = async (digest: string, size: number | undefined, what: string) =>
    readAllBounded(verified(await opts.fetchBlob(digest, size), digest, size), max, what);
  const fetchManifest: (digest: string) => Promise<{ bytes: Uint8Array; contentType?: string }> =
    opts.fetchManifest ?? (async (digest: string) => ({ bytes: await fetchJson(digest, undefined, `manifest ${digest}`) }));

  let bytes = opts.manifestBytes;
  if (opts.expectedDigest && !digestMatches(bytes, opts.expectedDigest)) {
    throw new SourceError(`manifest of ${opts.ref} does not match its digest ${opts.expectedDigest}`);
  }
  let contentType = opts.contentType;
  let parsed = wrap(() => parseManifest(bytes, contentType));
  let manifestDigest = opts.expectedDigest ?? digestOf(bytes, 'sha256');
  let depth = 0;
  while (parsed.kind === 'index') {
    if (++depth > 2) throw new SourceError('nested image indexes deeper than 2 levels');
    const child = selectPlatform(parsed.manifest.manifests, parsePlatform(opts.platform));
    const fetched = await fetchManifest(child.digest);
    if (!digestMatches(fetched.bytes, child.digest)) {
      throw new SourceError(`manifest ${child.digest} does not match its digest`);
    }
    bytes = fetched.bytes;
    manifestDigest = child.digest;
    contentType = fetched.contentType ?? child.mediaType;
    parsed = wrap(() => parseManifest(bytes, contentType));
  }
  const manifest: ImageManifest = parsed.manifest;
  const configBytes = await fetchJson(manifest.config.digest, manifest.config.size, 'image config');
  let config;
  try {
    config = parseImageConfig(configBytes);
  } catch (err) {
    if (err instanceof ImageConfigError) throw new SourceError(err.message, { cause: err });
    throw err;
  }
  const layers: LayerDescriptor[] = manifest.layers.map((l) => ({ digest: l.digest, mediaType: l.mediaType, size: l.size }));
  const sizes = new Map<string, number>(layers.map((l) => [l.digest, l.size]));
  sizes.set(manifest.config.digest, manifest.config.size);
  const source: ImageSource = {
    ref: opts.ref,
    manifestDigest,
    manifestMediaType: parsed.mediaType,
    manifest,
    configDigest: manifest.config.digest,
    config,
    layers,
    openBlob: async (digest: string) => {
      if (!sizes.has(digest)) throw new SourceError(`blob ${digest} is not part of image ${opts.ref}`);
      return verified(await opts.fetchBlob(digest, sizes.get(digest)), digest, sizes.get(digest));
    },
    close: opts.close ?? (async () => undefined),
  };
  if (opts.synthetic) Object.assign(source, { synthetic: true });
  return source;
}

function digestMatches(bytes: Uint8Array, digest: string): boolean {
  return digestOf(bytes, digest.startsWith('sha512:') ? 'sha512' : 'sha256') === digest;
}

function wrap<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof ManifestError) throw new SourceError(err.message, { cause: err });
    throw err;
  }
}
