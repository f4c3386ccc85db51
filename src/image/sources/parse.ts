import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import * as tar from 'tar-stream';
import { createReadStream } from 'node:fs';
import { openDockerArchive } from './docker-archive.js';
import { openOciArchive } from './oci-archive.js';
import { openOciLayout } from './oci-layout.js';
import { openRemote, type RemoteSourceOptions } from './remote.js';
import { openRootfs } from './rootfs.js';
import { SourceError, type ImageSource } from './types.js';

export type SourceRef =
  | { kind: 'oci'; path: string; tag?: string }
  | { kind: 'oci-archive'; path: string; tag?: string }
  | { kind: 'docker-archive'; path: string; tag?: string }
  | { kind: 'rootfs'; path: string }
  | { kind: 'docker'; reference: string }
  | { kind: 'auto'; path: string };

const PREFIXES = ['oci', 'oci-archive', 'docker-archive', 'rootfs', 'docker'] as const;

/**
 * Parses a source string in skopeo's transport syntax: `oci:DIR[:TAG]`, `oci-archive:FILE[:TAG]`,
 * `docker-archive:FILE[:REF]`, `rootfs:DIR`, `docker://REF`; anything else is a local path (kind
 * decided by looking at it) or, when no such path exists, a registry reference.
 */
export function parseSourceRef(input: string): SourceRef {
  if (input.startsWith('docker://')) return { kind: 'docker', reference: input.slice('docker://'.length) };
  for (const p of PREFIXES) {
    if (p === 'docker' || !input.startsWith(`${p}:`)) continue;
    const rest = input.slice(p.length + 1);
    if (rest === '') throw new SourceError(`${p}: needs a path`);
    if (p === 'rootfs') return { kind: 'rootfs', path: rest };
    // Like skopeo, the path ends at the first colon; the rest names the image.
    const colon = rest.indexOf(':');
    const path = colon < 0 ? rest : rest.slice(0, colon);
    const tag = colon < 0 ? undefined : rest.slice(colon + 1);
    return tag ? { kind: p, path, tag } : { kind: p, path };
  }
  return { kind: 'auto', path: input };
}

export type OpenImageOptions = RemoteSourceOptions;

export async function openImageSource(input: string, opts: OpenImageOptions = {}): Promise<ImageSource> {
  const ref = parseSourceRef(input);
  switch (ref.kind) {
    case 'oci':
      return openOciLayout(ref.path, ref.tag, opts);
    case 'oci-archive':
      return openOciArchive(ref.path, ref.tag, opts);
    case 'docker-archive':
      return openDockerArchive(ref.path, ref.tag, opts);
    case 'rootfs':
      return openRootfs(ref.path, opts);
    case 'docker':
      return openRemote(ref.reference, opts);
    case 'auto':
      return openAuto(ref.path, opts);
  }
}

async function openAuto(path: string, opts: OpenImageOptions): Promise<ImageSource> {
  const st = await stat(path).catch(() => undefined);
  if (!st) {
    if (/^[a-z0-9]/.test(path) && !path.includes('\\')) return openRemote(path, opts);
    throw new SourceError(`${path}: no such file, directory or image reference`);
  }
  if (st.isDirectory()) {
    const layout = await stat(join(path, 'oci-layout')).catch(() => undefined);
    return layout ? openOciLayout(path, undefined, opts) : openRootfs(path, opts);
  }
  const kind = await sniffArchive(path);
  if (kind === 'docker-archive') return openDockerArchive(path, undefined, opts);
  if (kind === 'oci-archive') return openOciArchive(path, undefined, opts);
  throw new SourceError(`${path} is neither a docker-archive nor an oci-archive tar`);
}

/** Looks at the first few tar members for manifest.json (docker save) or oci-layout / index.json. */
async function sniffArchive(path: string): Promise<'docker-archive' | 'oci-archive' | undefined> {
  const extract = tar.extract();
  const input = createReadStream(path);
  input.on('error', (err) => extract.destroy(err));
  input.pipe(extract);
  let seen = 0;
  let found: 'docker-archive' | 'oci-archive' | undefined;
  try {
    for await (const entry of extract) {
      const name = entry.header.name.replace(/^\.?\//, '');
      if (name === 'manifest.json') found = 'docker-archive';
      else if ((name === 'oci-layout' || name === 'index.json') && !found) found = 'oci-archive';
      entry.resume();
      if (found === 'docker-archive' || ++seen > 10_000) break;
    }
  } catch {
    return undefined;
  } finally {
    input.destroy();
  }
  return found;
}
