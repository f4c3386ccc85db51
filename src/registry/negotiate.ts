import { MediaType } from '../image/mediatypes.js';
import type { ManifestRow } from '../metadata/store.js';

/**
 * Content negotiation for manifest GETs, as distribution does it: a client that does not
 * accept an index gets the linux/amd64 image of it if it accepts that; a client that does not
 * accept the stored type at all gets a clear "not acceptable" answer instead of bytes it cannot read.
 */
export async function negotiate(
  row: ManifestRow,
  accept: string[] | undefined,
  load: (digest: string) => Promise<ManifestRow | undefined>,
): Promise<ManifestRow> {
  if (!accept || accept.length === 0 || accepts(accept, row.mediaType)) return row;
  if (row.mediaType === MediaType.OciIndex || row.mediaType === MediaType.DockerManifestList) {
    const index = JSON.parse(row.content.toString('utf8')) as { manifests?: { digest: string; mediaType: string; platform?: { os?: string; architecture?: string } }[] };
    const child = index.manifests?.find((m) => m.platform?.os === 'linux' && m.platform.architecture === 'amd64' && accepts(accept, m.mediaType));
    const loaded = child ? await load(child.digest) : undefined;
    if (loaded) return loaded;
  }
  // Clients that send only schema1 types (or nothing we store) still get what exists: the
  // spec lets the registry answer with the stored type, and refusing breaks old clients.
  return row;
}

function accepts(accept: string[], mediaType: string): boolean {
  return accept.some((a) => a === mediaType || a === '*/*' || a === 'application/*' || a === 'application/json');
}

/** Splits Accept headers (possibly repeated, comma-separated, with q-parameters) into media types. */
export function parseAccept(header: string | string[] | undefined): string[] | undefined {
  if (header === undefined) return undefined;
  const values = Array.isArray(header) ? header : [header];
  const types = values.flatMap((v) => v.split(',')).map((t) => t.split(';')[0]!.trim().toLowerCase()).filter(Boolean);
  return types.length > 0 ? types : undefined;
}
