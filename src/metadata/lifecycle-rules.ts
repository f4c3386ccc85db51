/** Stored lifecycle rules: immutable-tag rules, retention policies, project quotas (plain CRUD). */
import type { Kysely } from 'kysely';
import { toDate } from './rows.js';
import type { RegistryTables } from './schema.js';
import type { ImmutableTagRule, ProjectQuota, RetentionPolicy, RetentionPolicyInput } from './store.js';

type Db = Kysely<RegistryTables>;

export async function getQuota(db: Db, project: string): Promise<ProjectQuota | undefined> {
  const row = await db.selectFrom('project_quotas').selectAll().where('project', '=', project).executeTakeFirst();
  return row && { project: row.project, limitBytes: Number(row.limit_bytes), updatedAt: toDate(row.updated_at) };
}

export async function setQuota(db: Db, project: string, limitBytes: number, now: number): Promise<void> {
  if (!Number.isSafeInteger(limitBytes) || limitBytes < 0) throw new RangeError(`quota must be a non-negative integer of bytes, got ${limitBytes}`);
  await db
    .insertInto('project_quotas')
    .values({ project, limit_bytes: limitBytes, updated_at: now })
    .onConflict((oc) => oc.column('project').doUpdateSet({ limit_bytes: limitBytes, updated_at: now }))
    .execute();
}

export async function deleteQuota(db: Db, project: string): Promise<boolean> {
  const res = await db.deleteFrom('project_quotas').where('project', '=', project).executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}

export async function listQuotas(db: Db): Promise<ProjectQuota[]> {
  const rows = await db.selectFrom('project_quotas').selectAll().orderBy('project').execute();
  return rows.map((r) => ({ project: r.project, limitBytes: Number(r.limit_bytes), updatedAt: toDate(r.updated_at) }));
}

export async function listImmutableTagRules(db: Db): Promise<ImmutableTagRule[]> {
  const rows = await db.selectFrom('immutable_tag_rules').selectAll().orderBy('id').execute();
  return rows.map(toRule);
}

export async function addImmutableTagRule(db: Db, repositoryPattern: string, tagPattern: string, now: number): Promise<ImmutableTagRule> {
  await db
    .insertInto('immutable_tag_rules')
    .values({ repository_pattern: repositoryPattern, tag_pattern: tagPattern, created_at: now })
    .onConflict((oc) => oc.columns(['repository_pattern', 'tag_pattern']).doNothing())
    .execute();
  const row = await db
    .selectFrom('immutable_tag_rules')
    .selectAll()
    .where('repository_pattern', '=', repositoryPattern)
    .where('tag_pattern', '=', tagPattern)
    .executeTakeFirstOrThrow();
  return toRule(row);
}

export async function deleteImmutableTagRule(db: Db, id: number): Promise<boolean> {
  const res = await db.deleteFrom('immutable_tag_rules').where('id', '=', id).executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}

function toRule(r: { id: number; repository_pattern: string; tag_pattern: string; created_at: number | string }): ImmutableTagRule {
  return { id: Number(r.id), repositoryPattern: r.repository_pattern, tagPattern: r.tag_pattern, createdAt: toDate(r.created_at) };
}

export async function listRetentionPolicies(db: Db): Promise<RetentionPolicy[]> {
  const rows = await db.selectFrom('retention_policies').selectAll().orderBy('id').execute();
  return rows.map(toPolicy);
}

export async function addRetentionPolicy(db: Db, p: RetentionPolicyInput, now: number): Promise<RetentionPolicy> {
  const row = await db
    .insertInto('retention_policies')
    .values({
      repository_pattern: p.repositoryPattern,
      tag_pattern: p.tagPattern,
      keep_last: p.keepLast ?? null,
      untagged_days: p.untaggedDays ?? null,
      unpulled_days: p.unpulledDays ?? null,
      created_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toPolicy(row);
}

export async function deleteRetentionPolicy(db: Db, id: number): Promise<boolean> {
  const res = await db.deleteFrom('retention_policies').where('id', '=', id).executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}

function toPolicy(r: {
  id: number;
  repository_pattern: string;
  tag_pattern: string;
  keep_last: number | null;
  untagged_days: number | null;
  unpulled_days: number | null;
  created_at: number | string;
}): RetentionPolicy {
  const n = (v: number | null) => (v === null ? null : Number(v));
  return {
    id: Number(r.id),
    repositoryPattern: r.repository_pattern,
    tagPattern: r.tag_pattern,
    keepLast: n(r.keep_last),
    untaggedDays: n(r.untagged_days),
    unpulledDays: n(r.unpulled_days),
    createdAt: toDate(r.created_at),
  };
}
