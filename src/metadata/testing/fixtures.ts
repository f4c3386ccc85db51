/** Inputs shared by the conformance suite's parts. */
import { createHash } from 'node:crypto';
import type { ManifestInput } from '../store.js';

export function sha(text: string): string {
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

export function manifest(seed: string, extra: Partial<ManifestInput> = {}): ManifestInput {
  const content = Buffer.from(JSON.stringify({ schemaVersion: 2, seed }));
  return {
    digest: sha(content.toString()),
    mediaType: OCI_MANIFEST,
    content,
    references: [],
    ...extra,
  };
}

export function byteSorted(names: string[]): string[] {
  return [...names].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

/** Names whose byte order differs from case-insensitive / locale order. */
export const ODD_NAMES = ['b', 'B', 'a', 'A', 'a-b', 'a.b', 'a/b', 'a_b', 'ab', 'Z', '0', '9z', 'a0', 'aB', 'a~'];
