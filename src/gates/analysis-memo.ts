import type { ImageInventory } from '../analysis/types.js';
import type { EvaluationInput } from '../policy/index.js';
import type { ScanReport } from '../scan/types.js';
import { LruMap } from '../util/lru.js';

/** What a push analysis found, independent of the repository it was pushed to. */
export interface MemoAnalysis {
  report: ScanReport;
  inventory: ImageInventory;
  input: EvaluationInput;
}

/**
 * Recent push analyses by manifest digest and vulnerability data: the same image pushed again
 * (into another repository, under another tag) is judged from the analysis of a moment ago instead
 * of assembling and matching it again. The manifest digest fixes the config and every layer; the
 * key also names the vulnerability DB file, so new data is never answered from old matches. Entries
 * live a few minutes (age and end-of-life checks depend on the date); each push gets its own copy.
 */
export class AnalysisMemo {
  private readonly entries: LruMap<string, { at: number; analysis: MemoAnalysis }>;

  constructor(
    maxEntries = 32,
    private readonly ttlMs = 5 * 60_000,
    private readonly now: () => number = Date.now,
  ) {
    this.entries = new LruMap(maxEntries);
  }

  get(key: string): MemoAnalysis | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (this.now() - hit.at > this.ttlMs) {
      this.entries.delete(key);
      return undefined;
    }
    return structuredClone(hit.analysis);
  }

  set(key: string, analysis: MemoAnalysis): void {
    this.entries.set(key, { at: this.now(), analysis: structuredClone(analysis) });
  }
}
