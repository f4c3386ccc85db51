import { createReadStream, createWriteStream, mkdirSync, renameSync, rmSync, statSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { dirname } from 'node:path';
import { randomBytes } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import type { ImageReference, RegistryClient } from '../image/client/index.js';
import { VulnDb } from './db/database.js';
import { sha256File } from './update/download.js';

/**
 * The DB file carried as an OCI artifact (as Trivy does with its DB), so air-gapped
 * installations can pull it from their own registry: one layer holding the SQLite file.
 */
export const VULNDB_ARTIFACT_TYPE = 'application/vnd.portcullis.vulndb.v1';
export const VULNDB_LAYER_MEDIA_TYPE = 'application/vnd.portcullis.vulndb.layer.v1.sqlite';
const MANIFEST_MEDIA_TYPE = 'application/vnd.oci.image.manifest.v1+json';
const EMPTY_CONFIG = { mediaType: 'application/vnd.oci.empty.v1+json', digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a', size: 2 };

export interface PushResult {
  digest: string;
  layerDigest: string;
  size: number;
}

/** Pushes the DB at `path` to ref (tag defaults to "latest"). */
export async function pushDb(client: RegistryClient, ref: ImageReference, path: string): Promise<PushResult> {
  // fold the WAL into the file so the pushed bytes are the whole DB
  const db = VulnDb.open(path);
  db.db.pragma('wal_checkpoint(TRUNCATE)');
  // rollback-journal mode in the header, so a read-only opener of the pulled copy needs no -wal/-shm
  db.db.pragma('journal_mode = DELETE');
  db.close();
  const size = statSync(path).size;
  const layerDigest = `sha256:${await sha256File(path)}`;
  await client.uploadBlob(ref.repository, Buffer.from('{}'), { digest: EMPTY_CONFIG.digest });
  await client.uploadBlob(ref.repository, createReadStream(path), { digest: layerDigest });
  const manifest = {
    schemaVersion: 2,
    mediaType: MANIFEST_MEDIA_TYPE,
    artifactType: VULNDB_ARTIFACT_TYPE,
    config: EMPTY_CONFIG,
    layers: [{ mediaType: VULNDB_LAYER_MEDIA_TYPE, digest: layerDigest, size, annotations: { 'org.opencontainers.image.title': 'vulndb.sqlite' } }],
    annotations: { 'org.opencontainers.image.created': new Date().toISOString() },
  };
  const put = await client.putManifest(ref.repository, ref.digest ?? ref.tag ?? 'latest', Buffer.from(JSON.stringify(manifest)), MANIFEST_MEDIA_TYPE);
  return { digest: put.digest, layerDigest, size };
}

/**
 * Pulls the DB artifact at ref and swaps it in at `target` atomically: the blob is verified
 * while streaming, opened as a DB before it replaces anything, and only then renamed over.
 */
export async function pullDb(client: RegistryClient, ref: ImageReference, target: string): Promise<{ digest: string; size: number }> {
  const fetched = await client.getManifest(ref.repository, ref.digest ?? ref.tag ?? 'latest');
  let manifest: { artifactType?: unknown; layers?: { mediaType?: unknown; digest?: unknown; size?: unknown }[] };
  try {
    manifest = JSON.parse(fetched.bytes.toString('utf8')) as typeof manifest;
  } catch {
    throw new Error(`${ref.repository}: manifest is not JSON`);
  }
  const layer = manifest.layers?.find((l) => l.mediaType === VULNDB_LAYER_MEDIA_TYPE);
  if (!layer || typeof layer.digest !== 'string' || typeof layer.size !== 'number')
    throw new Error(`${ref.repository}: not a Portcullis vulnerability DB artifact (no ${VULNDB_LAYER_MEDIA_TYPE} layer)`);
  mkdirSync(dirname(target), { recursive: true });
  const tmp = `${target}.pull-${process.pid}-${randomBytes(4).toString('hex')}`;
  let out: WriteStream | undefined;
  try {
    const blob = await client.getBlob(ref.repository, layer.digest, layer.size);
    out = createWriteStream(tmp);
    await pipeline(blob.stream, out);
    VulnDb.open(tmp, { readonly: true }).close();
    for (const suffix of ['-wal', '-shm']) rmSync(`${target}${suffix}`, { force: true });
    renameSync(tmp, target);
  } catch (err) {
    // The file stream opens asynchronously: remove the temporary file only once it is closed, or a
    // late open would leave it behind.
    if (out && !out.closed) await once(out, 'close').catch(() => undefined);
    rmSync(tmp, { force: true });
    throw err;
  }
  return { digest: fetched.digest, size: layer.size };
}
