/**
 * Tag immutability: a tag matching a rule (repository pattern, tag pattern) can be neither moved
 * to another digest nor deleted. Rules live in the metadata DB (managed through the API); each
 * process caches them briefly, so a rule added elsewhere applies within `cacheMs`.
 */
import type { ImmutableTagRule, LifecycleStore } from '../metadata/store.js';
import { RegistryError } from './errors.js';
import { matchesPattern, validatePattern } from './patterns.js';

export interface TagImmutabilityOptions {
  cacheMs?: number;
  now?: () => number;
}

export class TagImmutability {
  readonly #meta: LifecycleStore;
  readonly #cacheMs: number;
  readonly #now: () => number;
  #cached: { at: number; rules: Promise<ImmutableTagRule[]> } | undefined;

  constructor(meta: LifecycleStore, opts: TagImmutabilityOptions = {}) {
    this.#meta = meta;
    this.#cacheMs = opts.cacheMs ?? 5000;
    this.#now = opts.now ?? Date.now;
  }

  list(): Promise<ImmutableTagRule[]> {
    return this.#meta.listImmutableTagRules();
  }

  async add(repositoryPattern: string, tagPattern: string): Promise<ImmutableTagRule> {
    const rule = await this.#meta.addImmutableTagRule(validatePattern(repositoryPattern, 'repository'), validatePattern(tagPattern, 'tag'));
    this.#cached = undefined;
    return rule;
  }

  async remove(id: number): Promise<boolean> {
    const done = await this.#meta.deleteImmutableTagRule(id);
    this.#cached = undefined;
    return done;
  }

  /** The first rule that makes this tag immutable, if any. */
  async ruleFor(repository: string, tag: string): Promise<ImmutableTagRule | undefined> {
    const rules = await this.#rules();
    return rules.find((r) => matchesPattern(r.repositoryPattern, repository) && matchesPattern(r.tagPattern, tag));
  }

  /** Throws DENIED when `tag` is immutable. */
  async assertMutable(repository: string, tag: string, action: 'move' | 'delete'): Promise<void> {
    const rule = await this.ruleFor(repository, tag);
    if (rule) throw immutableError(repository, tag, action, rule);
  }

  async #rules(): Promise<ImmutableTagRule[]> {
    const now = this.#now();
    if (!this.#cached || now - this.#cached.at >= this.#cacheMs) {
      const rules = this.#meta.listImmutableTagRules();
      this.#cached = { at: now, rules };
      rules.catch(() => {
        if (this.#cached?.rules === rules) this.#cached = undefined;
      });
    }
    return this.#cached.rules;
  }
}

export function immutableError(repository: string, tag: string, action: 'move' | 'delete', rule?: ImmutableTagRule): RegistryError {
  const why = rule ? ` (rule ${rule.id}: ${rule.repositoryPattern}:${rule.tagPattern})` : '';
  const verb = action === 'move' ? 'cannot be overwritten with another digest' : 'cannot be deleted';
  return new RegistryError('DENIED', `tag ${repository}:${tag} is immutable and ${verb}${why}`, { repository, tag });
}
