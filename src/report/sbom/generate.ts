import { homedir } from 'node:os';
import { join } from 'node:path';
import { analyzeImage } from '../../analysis/engine/image.js';
import { DiskLayerCache } from '../../analysis/engine/cache.js';
import type { LayerCache, LayerProgress } from '../../analysis/engine/types.js';
import { openImageSource } from '../../image/sources/parse.js';
import { SBOM_WRITERS, type SbomFormat } from './index.js';
import type { SbomOptions } from './subject.js';

export interface GenerateSbomOptions extends SbomOptions {
  format: SbomFormat;
  platform?: string;
  cache?: LayerCache;
  onStart?: (info: { layers: number; bytes: number }) => void;
  onProgress?: (p: LayerProgress) => void;
}

/** The CLI's layer cache: $XDG_CACHE_HOME/portcullis/layers (or ~/.cache/...). */
export function defaultLayerCache(): DiskLayerCache {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return new DiskLayerCache(join(base, 'portcullis', 'layers'));
}

/** Opens an image source, analyses it and renders an SBOM in the requested format. */
export async function generateSbom(input: string, opts: GenerateSbomOptions): Promise<string> {
  const source = await openImageSource(input, opts.platform ? { platform: opts.platform } : {});
  try {
    opts.onStart?.({ layers: source.layers.length, bytes: source.layers.reduce((n, l) => n + l.size, 0) });
    const { inventory } = await analyzeImage(source, {
      ...(opts.cache ? { cache: opts.cache } : {}),
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    });
    const platform = {
      ...(source.config.os ? { os: source.config.os } : {}),
      ...(source.config.architecture ? { architecture: source.config.architecture } : {}),
      ...(source.config.variant ? { variant: source.config.variant } : {}),
    };
    return SBOM_WRITERS[opts.format]({ name: input, inventory, platform }, opts);
  } finally {
    await source.close();
  }
}
