/** An ArtifactStore in memory: for tests, and for tools that re-evaluate reports held elsewhere. */
import type { ArtifactKey, ArtifactStore, StoredArtifact } from './types.js';

const keyOf = (repository: string, digest: string): string => `${repository}@${digest}`;

export class MemoryArtifactStore implements ArtifactStore {
  private readonly items = new Map<string, StoredArtifact>();

  put(a: StoredArtifact): void {
    this.items.set(keyOf(a.repository, a.digest), structuredClone(a));
  }

  async keys(cursor: string | undefined, limit: number): Promise<{ keys: ArtifactKey[]; next?: string }> {
    const all = [...this.items.keys()].sort();
    const start = cursor === undefined ? 0 : all.findIndex((k) => k > cursor);
    const slice = start < 0 ? [] : all.slice(start, start + limit);
    const keys = slice.map((k) => {
      const a = this.items.get(k)!;
      return { repository: a.repository, digest: a.digest };
    });
    const last = slice.at(-1);
    return slice.length === limit && last !== undefined ? { keys, next: last } : { keys };
  }

  async get(repository: string, digest: string): Promise<StoredArtifact | undefined> {
    const a = this.items.get(keyOf(repository, digest));
    return a ? structuredClone(a) : undefined;
  }

  async updateFindings(repository: string, digest: string, update: Pick<StoredArtifact, 'report' | 'input'>): Promise<void> {
    const a = this.items.get(keyOf(repository, digest));
    if (a) this.items.set(keyOf(repository, digest), { ...a, report: structuredClone(update.report), input: structuredClone(update.input) });
  }
}
