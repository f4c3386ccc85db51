/**
 * Records the last pull time of manifests for retention ("not pulled in D days"), cheaply: at
 * most one write per manifest per `throttleMs` in this process, off the request's critical path.
 */
import type { LifecycleStore } from '../metadata/store.js';

export class PullRecorder {
  readonly #last = new Map<string, number>();

  constructor(
    private readonly meta: LifecycleStore,
    private readonly throttleMs = 60_000,
    private readonly now: () => number = Date.now,
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {}

  record(repositoryId: number, digest: string): void {
    const key = `${repositoryId}@${digest}`;
    const now = this.now();
    const last = this.#last.get(key);
    if (last !== undefined && now - last < this.throttleMs) return;
    if (this.#last.size >= 100_000) this.#last.clear();
    this.#last.set(key, now);
    this.meta.recordPull(repositoryId, digest, new Date(now)).catch(this.onError);
  }
}
