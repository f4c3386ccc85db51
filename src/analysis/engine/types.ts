import type { FileMeta } from '../analyzer.js';
import type { LayerFacts } from '../types.js';

/**
 * A per-file hook that sees every regular file of every layer in the same single pass as the
 * analyzers, including files that a later layer deletes (secret scanning needs those).
 */
export interface FileVisitor {
  /** Name and version are part of the layer-cache key, like an analyzer's. */
  readonly name: string;
  readonly version: number;
  /** Largest prefix of a file handed to `visit` (default: the layer reader's per-file bound). */
  readonly maxFileSize?: number;
  wants(meta: FileMeta): boolean;
  visit(meta: FileMeta, content: Buffer, layerIndex: number, layerDigest: string): void;
  /**
   * The visitor's JSON-serialisable result for the layer just walked; stored in
   * `LayerFacts.extra[name]` and cached with the facts. Without it a cached layer cannot replay
   * what the visitor saw, so layers are not served from the cache while such a visitor runs.
   */
  collect?(layerDigest: string): unknown;
}

/** Stores LayerFacts by cache key (layer digest + analyzer and visitor versions). */
export interface LayerCache {
  get(key: string): Promise<LayerFacts | undefined>;
  set(key: string, facts: LayerFacts): Promise<void>;
}

export interface LayerProgress {
  layerIndex: number;
  layerCount: number;
  layerDigest: string;
  /** Compressed bytes of this layer read so far, and its size. */
  bytes: number;
  size: number;
  /** Set when the layer came from the cache. */
  cached?: boolean;
  done?: boolean;
}
