/**
 * Retention: stored policies (repository pattern + tag pattern, with keep-last-N, untagged after
 * D days, not pulled in D days) applied to every matching repository, on a schedule or on
 * demand, with a dry run that lists what would go. Deletions go through the Registry, so
 * immutable tags are honoured and the manifestDeleted hook (audit) fires. Blobs freed by the
 * deletions are GC's business.
 */
import type { Logger } from 'pino';
import { z } from 'zod';
import type { LifecycleStore, RetentionPolicy, RetentionPolicyInput } from '../metadata/store.js';
import { RegistryError } from './errors.js';
import { matchesPattern, validatePattern } from './patterns.js';
import type { Registry } from './registry.js';
import { planRetention, type PlannedManifest, type PlannedTag } from './retention-plan.js';
import { every, type Schedule } from './schedule.js';

export { planRetention, cosignSubject, type RetentionPlan, type RetentionReason } from './retention-plan.js';

const days = z.number().int().min(0).max(100_000).nullable().optional();
export const retentionPolicySchema = z
  .object({
    repositoryPattern: z.string().default('*'),
    tagPattern: z.string().default('*'),
    keepLast: z.number().int().min(1).max(1_000_000).nullable().optional(),
    untaggedDays: days,
    unpulledDays: days,
  })
  .strict()
  .refine((p) => p.keepLast != null || p.untaggedDays != null || p.unpulledDays != null, {
    message: 'a retention policy needs keepLast, untaggedDays or unpulledDays',
  });

/** CRUD of the stored policies (for the API and CLI). */
export class RetentionPolicies {
  constructor(private readonly meta: LifecycleStore) {}

  list(): Promise<RetentionPolicy[]> {
    return this.meta.listRetentionPolicies();
  }

  /** Validates (field-level zod errors) and stores a policy. */
  async add(input: unknown): Promise<RetentionPolicy> {
    const p = retentionPolicySchema.parse(input);
    const policy: RetentionPolicyInput = {
      repositoryPattern: validatePattern(p.repositoryPattern, 'repository'),
      tagPattern: validatePattern(p.tagPattern, 'tag'),
      keepLast: p.keepLast ?? null,
      untaggedDays: p.untaggedDays ?? null,
      unpulledDays: p.unpulledDays ?? null,
    };
    return this.meta.addRetentionPolicy(policy);
  }

  remove(id: number): Promise<boolean> {
    return this.meta.deleteRetentionPolicy(id);
  }
}

export interface RetentionOptions {
  dryRun?: boolean;
  /** Default: the stored policies. */
  policies?: RetentionPolicy[];
  now?: () => number;
}

export interface RetentionReport {
  dryRun: boolean;
  startedAt: Date;
  finishedAt: Date;
  manifests: Array<PlannedManifest & { repository: string }>;
  tags: Array<PlannedTag & { repository: string }>;
  /** Selected by a policy but kept because of an immutable tag. */
  protected: Array<{ repository: string; digest: string; tag: string; policyId: number }>;
  errors: Array<{ repository: string; reference: string; error: string }>;
}

export async function runRetention(registry: Registry, opts: RetentionOptions = {}): Promise<RetentionReport> {
  const now = opts.now ?? Date.now;
  const meta = registry.meta;
  const policies = opts.policies ?? (await meta.listRetentionPolicies());
  const report: RetentionReport = {
    dryRun: opts.dryRun === true,
    startedAt: new Date(now()),
    finishedAt: new Date(now()),
    manifests: [],
    tags: [],
    protected: [],
    errors: [],
  };
  if (policies.length === 0) return report;
  for (const repo of await meta.allRepositories()) {
    const applicable = policies.filter((p) => matchesPattern(p.repositoryPattern, repo.name));
    if (applicable.length === 0) continue;
    const manifests = await meta.retentionManifests(repo.id);
    if (manifests.length === 0) continue;
    const immutable = new Set<string>();
    for (const m of manifests) for (const t of m.tags) if (await registry.immutability.ruleFor(repo.name, t.name)) immutable.add(t.name);
    const plan = planRetention(manifests, applicable, now(), (tag) => immutable.has(tag));
    for (const p of plan.protected) report.protected.push({ repository: repo.name, ...p });
    if (opts.dryRun) {
      for (const m of plan.manifests) report.manifests.push({ repository: repo.name, ...m });
      for (const t of plan.tags) report.tags.push({ repository: repo.name, ...t });
      continue;
    }
    for (const t of plan.tags) {
      try {
        await registry.immutability.assertMutable(repo.name, t.tag, 'delete');
        if (await meta.deleteTag(repo.id, t.tag, t.digest)) report.tags.push({ repository: repo.name, ...t });
      } catch (err) {
        report.errors.push({ repository: repo.name, reference: t.tag, error: message(err) });
      }
    }
    for (const m of plan.manifests) {
      try {
        await registry.deleteManifest(repo.name, m.digest);
        report.manifests.push({ repository: repo.name, ...m });
      } catch (err) {
        // Someone else deleted it first: nothing left to do.
        if (err instanceof RegistryError && err.code === 'MANIFEST_UNKNOWN') continue;
        report.errors.push({ repository: repo.name, reference: m.digest, error: message(err) });
      }
    }
  }
  report.finishedAt = new Date(now());
  return report;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export interface RetentionScheduleOptions {
  intervalMs: number;
  logger?: Pick<Logger, 'info' | 'warn'>;
  onReport?: (report: RetentionReport) => void;
  now?: () => number;
}

export function startRetentionSchedule(registry: Registry, opts: RetentionScheduleOptions): Schedule<RetentionReport> {
  return every(
    opts.intervalMs,
    async () => {
      const report = await runRetention(registry, opts.now ? { now: opts.now } : {});
      if (report.manifests.length + report.tags.length + report.errors.length > 0) {
        opts.logger?.info(
          { manifests: report.manifests.length, tags: report.tags.length, errors: report.errors.length },
          'retention',
        );
      }
      opts.onReport?.(report);
      return report;
    },
    (err) => opts.logger?.warn({ err }, 'retention failed'),
  );
}
