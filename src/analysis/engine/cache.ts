import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Analyzer } from '../analyzer.js';
import type { LayerFacts } from '../types.js';
import type { FileVisitor, LayerCache } from './types.js';
import { LruMap } from '../../util/lru.js';

/** `name@version` of every analyzer and visitor, sorted: the second half of the cache key. */
export function analyzerIds(analyzers: readonly Analyzer[], visitors: readonly FileVisitor[] = []): string[] {
  return [...analyzers, ...visitors].map((a) => `${a.name}@${a.version}`).sort();
}

export function layerCacheKey(layerDigest: string, ids: readonly string[]): string {
  return `${layerDigest}|${[...ids].sort().join(',')}`;
}

/** A bounded in-memory cache, least recently used out first. */
export class MemoryLayerCache implements LayerCache {
  private readonly map: LruMap<string, LayerFacts>;

  constructor(maxEntries = 1000) {
    this.map = new LruMap(maxEntries);
  }

  async get(key: string): Promise<LayerFacts | undefined> {
    const hit = this.map.get(key);
    return hit === undefined ? undefined : structuredClone(hit);
  }

  async set(key: string, facts: LayerFacts): Promise<void> {
    this.map.set(key, structuredClone(facts));
  }

  get size(): number {
    return this.map.size;
  }
}

/**
 * One JSON file per key in a directory (the CLI's cache, e.g. ~/.cache/portcullis/layers).
 * Writes are atomic (temp file + rename); an unreadable entry is a miss, never an error.
 */
export class DiskLayerCache implements LayerCache {
  constructor(private readonly dir: string) {}

  private file(key: string): string {
    return join(this.dir, `${createHash('sha256').update(key).digest('hex')}.json`);
  }

  async get(key: string): Promise<LayerFacts | undefined> {
    try {
      const doc = JSON.parse(await readFile(this.file(key), 'utf8')) as { key?: string; facts?: LayerFacts };
      return doc.key === key && doc.facts ? doc.facts : undefined;
    } catch {
      return undefined;
    }
  }

  async set(key: string, facts: LayerFacts): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const target = this.file(key);
    const tmp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await writeFile(tmp, JSON.stringify({ key, facts }));
      await rename(tmp, target);
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
  }
}
