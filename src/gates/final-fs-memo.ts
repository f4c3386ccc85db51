import type { PlacedFile } from '../scan/cache.js';

/**
 * Final filesystems rebuilt from stored layer entries, kept in memory per chain of layer keys
 * (layer digest and analyzer versions, in image order). Replaying thousands of entries costs
 * tens of milliseconds at every manifest PUT, while a chain's view never changes: the entries
 * are a function of the layer's content. Re-pushes and new tags of a known image then skip both
 * the entries' read and the replay. Bounded by images and by files held, least recently used out.
 */
export class FinalFsMemo {
  private readonly views = new Map<string, readonly PlacedFile[]>();
  private held = 0;

  constructor(
    private readonly maxImages = 16,
    private readonly maxFiles = 200_000,
  ) {}

  get size(): number {
    return this.views.size;
  }

  get(chain: readonly string[]): readonly PlacedFile[] | undefined {
    const key = chainKey(chain);
    const files = this.views.get(key);
    if (files) {
      // Most recently used last, so eviction takes the first.
      this.views.delete(key);
      this.views.set(key, files);
    }
    return files;
  }

  /** Keeps the view (frozen: it is shared by every later push of the chain). */
  set(chain: readonly string[], files: PlacedFile[]): readonly PlacedFile[] {
    for (const f of files) Object.freeze(f);
    const view = Object.freeze(files);
    if (view.length > this.maxFiles) return view;
    const key = chainKey(chain);
    const old = this.views.get(key);
    if (old) {
      this.views.delete(key);
      this.held -= old.length;
    }
    this.views.set(key, view);
    this.held += view.length;
    for (const [k, v] of this.views) {
      if (this.views.size <= this.maxImages && this.held <= this.maxFiles) break;
      this.views.delete(k);
      this.held -= v.length;
    }
    return view;
  }
}

const chainKey = (chain: readonly string[]): string => JSON.stringify(chain);
