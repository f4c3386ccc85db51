import { pipeline, Transform, type Readable, type TransformCallback } from 'node:stream';
import type { LayerLimits } from '../../image/layers/index.js';
import { VirtualFs } from '../../image/layers/vfs.js';
import type { ImageSource } from '../../image/sources/types.js';
import type { Analyzer } from '../analyzer.js';
import { ANALYZERS } from '../analyzers/index.js';
import type { ImageInventory, LayerFacts } from '../types.js';
import { assembleInventory } from './assemble.js';
import { analyzerIds, layerCacheKey } from './cache.js';
import { analyzeLayer } from './layer.js';
import type { FileVisitor, LayerCache, LayerProgress } from './types.js';

/** Runs layer analysis somewhere else (a worker pool); `ids` are its analyzers' cache-key ids. */
export interface LayerRunner {
  readonly ids: string[];
  analyzeLayer(stream: Readable, opts: { layerDigest: string; mediaType?: string; layerIndex?: number; limits?: Partial<LayerLimits> }): Promise<LayerFacts>;
}

export interface AnalyzeImageOptions {
  /** Default: the image analyzers (ANALYZERS). */
  analyzers?: readonly Analyzer[];
  visitors?: readonly FileVisitor[];
  cache?: LayerCache;
  limits?: Partial<LayerLimits>;
  /** Also build the final-filesystem view (layers are then read in this thread, never from the cache). */
  vfs?: boolean;
  /** Analyse layers off the main thread (analyzers/visitors are then the runner's). */
  runner?: LayerRunner;
  onProgress?: (p: LayerProgress) => void;
}

export interface ImageAnalysis {
  inventory: ImageInventory;
  layers: LayerFacts[];
  vfs?: VirtualFs;
}

/** Analyses every layer of an image (from the cache where possible) and assembles the inventory. */
export async function analyzeImage(source: ImageSource, opts: AnalyzeImageOptions = {}): Promise<ImageAnalysis> {
  const analyzers = opts.analyzers ?? ANALYZERS;
  const visitors = opts.visitors ?? [];
  if (opts.runner && (opts.vfs || visitors.length > 0)) {
    throw new Error('analyzeImage: vfs and in-process visitors need in-thread analysis (no runner)');
  }
  const ids = opts.runner ? opts.runner.ids : analyzerIds(analyzers, visitors);
  const cacheable = !!opts.cache && !source.synthetic && !opts.vfs && visitors.every((v) => v.collect !== undefined);
  const vfs = opts.vfs ? new VirtualFs(opts.limits?.maxLinkDepth ? { maxLinkDepth: opts.limits.maxLinkDepth } : {}) : undefined;
  const layerCount = source.layers.length;

  const analyzeOne = async (index: number): Promise<LayerFacts> => {
    const layer = source.layers[index]!;
    const base = { layerIndex: index, layerCount, layerDigest: layer.digest, size: layer.size };
    const key = layerCacheKey(layer.digest, ids);
    if (cacheable) {
      const hit = await opts.cache!.get(key);
      if (hit) {
        opts.onProgress?.({ ...base, bytes: layer.size, cached: true, done: true });
        return hit;
      }
    }
    const raw = await source.openBlob(layer.digest);
    const stream = opts.onProgress ? metered(raw, (bytes) => opts.onProgress!({ ...base, bytes })) : raw;
    const layerOpts = { layerDigest: layer.digest, mediaType: layer.mediaType, layerIndex: index, ...(opts.limits ? { limits: opts.limits } : {}) };
    const facts = opts.runner
      ? await opts.runner.analyzeLayer(stream, layerOpts)
      : await analyzeLayer(stream, { ...layerOpts, analyzers, visitors, ...(vfs ? { vfs } : {}) });
    opts.onProgress?.({ ...base, bytes: layer.size, done: true });
    if (cacheable) await opts.cache!.set(key, facts);
    return facts;
  };

  const indexes = source.layers.map((_, i) => i);
  let layers: LayerFacts[];
  if (opts.runner) layers = await Promise.all(indexes.map(analyzeOne));
  else {
    layers = [];
    for (const i of indexes) layers.push(await analyzeOne(i));
  }
  const inventory = assembleInventory({
    digest: source.manifestDigest,
    layers: source.layers.map((l, i) => ({ ...l, facts: layers[i]! })),
    ...(vfs ? { vfs } : {}),
  });
  if (vfs) inventory.warnings.push(...vfs.warnings);
  return vfs ? { inventory, layers, vfs } : { inventory, layers };
}

function metered(stream: Readable, onBytes: (total: number) => void): Readable {
  let total = 0;
  let last = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback) {
      total += chunk.length;
      // Progress at ~1 MiB steps keeps the callback cheap.
      if (total - last >= 1 << 20) {
        last = total;
        onBytes(total);
      }
      cb(null, chunk);
    },
  });
  return pipeline(stream, meter, () => undefined);
}
