/**
 * Storage quota per project (the first path component of a repository name): the bytes of the
 * distinct blobs linked in the project's repositories. Checked when a blob upload completes or
 * is mounted, and at manifest PUT. Usage is one query, cached briefly per process (and dropped
 * whenever this process links a blob), so concurrent pushes may overshoot by what is in flight.
 */
import type { LifecycleStore, ProjectQuota } from '../metadata/store.js';
import { RegistryError } from './errors.js';

export function projectOf(repository: string): string {
  const slash = repository.indexOf('/');
  return slash < 0 ? repository : repository.slice(0, slash);
}

export interface ProjectQuotasOptions {
  cacheMs?: number;
  now?: () => number;
}

interface Cached<T> {
  at: number;
  value: Promise<T>;
}

export class ProjectQuotas {
  readonly #meta: LifecycleStore;
  readonly #cacheMs: number;
  readonly #now: () => number;
  readonly #usage = new Map<string, Cached<number>>();
  readonly #limits = new Map<string, Cached<ProjectQuota | undefined>>();

  constructor(meta: LifecycleStore, opts: ProjectQuotasOptions = {}) {
    this.#meta = meta;
    this.#cacheMs = opts.cacheMs ?? 2000;
    this.#now = opts.now ?? Date.now;
  }

  get(project: string): Promise<ProjectQuota | undefined> {
    return this.#meta.getQuota(project);
  }

  list(): Promise<ProjectQuota[]> {
    return this.#meta.listQuotas();
  }

  async set(project: string, limitBytes: number): Promise<void> {
    await this.#meta.setQuota(project, limitBytes);
    this.#limits.delete(project);
  }

  async remove(project: string): Promise<boolean> {
    const done = await this.#meta.deleteQuota(project);
    this.#limits.delete(project);
    return done;
  }

  /** Current usage in bytes (fresh from the database). */
  async usage(project: string): Promise<number> {
    this.#usage.delete(project);
    return this.#cachedUsage(project);
  }

  /** Forget the cached usage of the repository's project (after this process linked or unlinked a blob). */
  invalidate(repository: string): void {
    this.#usage.delete(projectOf(repository));
  }

  /** DENIED if adding this blob (when new to the project) would exceed the project's quota. */
  async checkBlob(repository: string, digest: string, size: number): Promise<void> {
    const project = projectOf(repository);
    const quota = await this.#limit(project);
    if (!quota) return;
    const used = await this.#cachedUsage(project);
    if (used + size <= quota.limitBytes) return;
    if (await this.#meta.projectHasBlob(project, digest)) return;
    throw exceeded(project, used, quota.limitBytes, size);
  }

  /** DENIED if the project is already over its quota (a manifest PUT then cannot complete the image). */
  async checkProject(repository: string): Promise<void> {
    const project = projectOf(repository);
    const quota = await this.#limit(project);
    if (!quota) return;
    const used = await this.#cachedUsage(project);
    if (used > quota.limitBytes) throw exceeded(project, used, quota.limitBytes);
  }

  #limit(project: string): Promise<ProjectQuota | undefined> {
    return this.#cache(this.#limits, project, () => this.#meta.getQuota(project));
  }

  #cachedUsage(project: string): Promise<number> {
    return this.#cache(this.#usage, project, () => this.#meta.projectUsage(project));
  }

  #cache<T>(map: Map<string, Cached<T>>, key: string, load: () => Promise<T>): Promise<T> {
    const now = this.#now();
    const hit = map.get(key);
    if (hit && now - hit.at < this.#cacheMs) return hit.value;
    if (map.size > 10_000) map.clear();
    const value = load();
    const entry = { at: now, value };
    map.set(key, entry);
    value.catch(() => {
      if (map.get(key) === entry) map.delete(key);
    });
    return value;
  }
}

function exceeded(project: string, used: number, limit: number, adding?: number): RegistryError {
  const more = adding === undefined ? '' : ` (this blob adds ${adding})`;
  return new RegistryError('DENIED', `quota exceeded: used ${used} of ${limit} bytes in project ${project}${more}`, {
    project,
    used,
    limit,
  });
}
