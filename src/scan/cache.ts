import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FinalFile } from '../analysis/misconfig/index.js';

/** A final-filesystem entry with the index of the layer that last wrote it. */
export interface PlacedFile extends FinalFile {
  layerIndex: number;
}

/**
 * The assembled final filesystem of an image, cached by its manifest and layer digests: the
 * engine can serve layer facts from its cache but the metadata-only tree must be rebuilt by
 * reading every layer, so without this a repeated scan with misconfiguration checks would read
 * the whole image again.
 */
export interface FinalFsCache {
  get(key: string): Promise<PlacedFile[] | undefined>;
  set(key: string, files: PlacedFile[]): Promise<void>;
}

const FORMAT = 1;

export function finalFsKey(parts: { manifestDigest: string; configDigest: string; layers: readonly { digest: string }[] }): string {
  return `finalfs@${FORMAT}|${parts.manifestDigest}|${parts.configDigest}|${parts.layers.map((l) => l.digest).join(',')}`;
}

/** One JSON file per image under DIR; writes are atomic and an unreadable entry is a miss. */
export class DiskFinalFsCache implements FinalFsCache {
  constructor(private readonly dir: string) {}

  private file(key: string): string {
    return join(this.dir, `${createHash('sha256').update(key).digest('hex')}.json`);
  }

  async get(key: string): Promise<PlacedFile[] | undefined> {
    try {
      const doc = JSON.parse(await readFile(this.file(key), 'utf8')) as { key?: string; files?: PlacedFile[] };
      return doc.key === key && Array.isArray(doc.files) ? doc.files : undefined;
    } catch {
      return undefined;
    }
  }

  async set(key: string, files: PlacedFile[]): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const target = this.file(key);
    const tmp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await writeFile(tmp, JSON.stringify({ key, files }));
      await rename(tmp, target);
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
  }
}

/** Directory layout of the cache directory used by scans. */
export function layerCacheDir(cacheDir: string): string {
  return join(cacheDir, 'layers');
}
export function finalFsCacheDir(cacheDir: string): string {
  return join(cacheDir, 'images');
}
