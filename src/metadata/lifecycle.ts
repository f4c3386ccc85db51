/**
 * The lifecycle queries (GC, retention, quotas). Every GC write is one conditional statement
 * that re-checks its whole condition, so several GC processes and concurrent pushes can share
 * the database: a row touched, linked or referenced after GC looked at it is left alone.
 */
import { sql, type Kysely } from 'kysely';
import { chunks, one, toDate } from './rows.js';
import type { RegistryTables } from './schema.js';
import type { RetentionManifest } from './store.js';

type Db = Kysely<RegistryTables>;

/** Two statements, no transaction needed: a row inserted just now is too fresh for GC to mark. */
export async function claimBlob(db: Db, digest: string, size: number, now: number): Promise<boolean> {
  await db
    .insertInto('blobs')
    .values({ digest, size, created_at: now, touched_at: now })
    .onConflict((oc) => oc.column('digest').doNothing())
    .execute();
  const res = await db
    .updateTable('blobs')
    .set({ touched_at: now })
    .where('digest', '=', digest)
    .where('state', '=', 'live')
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

export async function touchLinks(db: Db, repositoryId: number, digests: string[], now: number): Promise<Set<string>> {
  const found = new Set<string>();
  // Sorted, so concurrent touches of overlapping sets lock rows in the same order.
  for (const part of chunks([...new Set(digests)].sort())) {
    const rows = await db
      .updateTable('repository_blobs')
      .set({ linked_at: now })
      .where('repository_id', '=', repositoryId)
      .where('digest', 'in', part)
      .returning('digest')
      .execute();
    for (const r of rows) found.add(r.digest);
  }
  return found;
}

export async function removeDanglingLink(db: Db, repositoryId: number, digest: string, olderThan: number): Promise<boolean> {
  const res = await db
    .deleteFrom('repository_blobs')
    .where('repository_id', '=', repositoryId)
    .where('digest', '=', digest)
    .where('linked_at', '<', olderThan)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('manifest_references as r')
            .select(one.as('x'))
            .where('r.repository_id', '=', repositoryId)
            .where('r.digest', '=', digest),
        ),
      ),
    )
    .executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}

export async function markBlobDeleting(db: Db, digest: string, olderThan: number, now: number): Promise<boolean> {
  const res = await db
    .updateTable('blobs as b')
    .set({ state: 'deleting', marked_at: now })
    .where('b.digest', '=', digest)
    .where('b.state', '=', 'live')
    .where('b.touched_at', '<', olderThan)
    .where((eb) =>
      eb.not(eb.exists(eb.selectFrom('repository_blobs as l').select(one.as('x')).where('l.digest', '=', digest))),
    )
    .where((eb) =>
      eb.not(eb.exists(eb.selectFrom('manifest_references as r').select(one.as('x')).where('r.digest', '=', digest))),
    )
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

export async function deletingBlobs(db: Db, markedBefore: number, limit?: number): Promise<string[]> {
  const rows = await db
    .selectFrom('blobs')
    .select('digest')
    .where('state', '=', 'deleting')
    .where('marked_at', '<', markedBefore)
    .orderBy('digest')
    .$if(limit !== undefined, (q) => q.limit(limit ?? 0))
    .execute();
  return rows.map((r) => r.digest);
}

export async function finishBlobDeletion(db: Db, digest: string): Promise<boolean> {
  const res = await db.deleteFrom('blobs').where('digest', '=', digest).where('state', '=', 'deleting').executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}

export async function blobInfo(db: Db, digest: string): Promise<{ size: number; state: 'live' | 'deleting' } | undefined> {
  const row = await db.selectFrom('blobs').select(['size', 'state']).where('digest', '=', digest).executeTakeFirst();
  return row && { size: Number(row.size), state: row.state };
}

export async function recordPull(db: Db, repositoryId: number, digest: string, at: number): Promise<void> {
  await db
    .updateTable('manifests')
    .set({ last_pulled_at: at })
    .where('repository_id', '=', repositoryId)
    .where('digest', '=', digest)
    .execute();
}

export async function allRepositories(db: Db): Promise<Array<{ id: number; name: string }>> {
  const rows = await db.selectFrom('repositories').select(['id', 'name']).orderBy('name').execute();
  return rows.map((r) => ({ id: Number(r.id), name: r.name }));
}

export async function retentionManifests(db: Db, repositoryId: number): Promise<RetentionManifest[]> {
  const manifests = await db
    .selectFrom('manifests as m')
    .select(['m.digest', 'm.subject', 'm.created_at', 'm.last_pulled_at'])
    .select((eb) =>
      eb
        .exists(
          eb
            .selectFrom('manifest_references as r')
            .select(one.as('x'))
            .whereRef('r.repository_id', '=', 'm.repository_id')
            .whereRef('r.digest', '=', 'm.digest')
            .where('r.kind', '=', 'manifest'),
        )
        .as('has_parent'),
    )
    .where('m.repository_id', '=', repositoryId)
    .orderBy('m.digest')
    .execute();
  const tags = await db
    .selectFrom('tags')
    .select(['name', 'digest', 'updated_at'])
    .where('repository_id', '=', repositoryId)
    .orderBy('name')
    .execute();
  const byDigest = new Map<string, RetentionManifest['tags']>();
  for (const t of tags) {
    const list = byDigest.get(t.digest) ?? [];
    list.push({ name: t.name, digest: t.digest, updatedAt: toDate(t.updated_at) });
    byDigest.set(t.digest, list);
  }
  return manifests.map((m) => ({
    digest: m.digest,
    subject: m.subject,
    createdAt: toDate(m.created_at),
    lastPulledAt: m.last_pulled_at === null ? null : toDate(m.last_pulled_at),
    tags: byDigest.get(m.digest) ?? [],
    // pg returns booleans, SQLite 0/1.
    hasParent: Boolean(Number(m.has_parent)),
  }));
}

/** Repositories of a project: the name itself or anything under `project/`. */
function inProject(project: string) {
  const prefix = `${project}/`;
  return sql<boolean>`(r.name = ${project} or substr(r.name, 1, ${prefix.length}) = ${prefix})`;
}

export async function projectUsage(db: Db, project: string): Promise<number> {
  const row = await db
    .selectFrom('blobs as b')
    .select(sql<number | string | null>`sum(b.size)`.as('total'))
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('repository_blobs as l')
          .innerJoin('repositories as r', 'r.id', 'l.repository_id')
          .select(one.as('x'))
          .whereRef('l.digest', '=', 'b.digest')
          .where(inProject(project)),
      ),
    )
    .executeTakeFirst();
  return Number(row?.total ?? 0);
}

export async function projectHasBlob(db: Db, project: string, digest: string): Promise<boolean> {
  const row = await db
    .selectFrom('repository_blobs as l')
    .innerJoin('repositories as r', 'r.id', 'l.repository_id')
    .select(one.as('x'))
    .where('l.digest', '=', digest)
    .where(inProject(project))
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** Per digest: how many repositories link it and how many manifests reference it (GC dry run). */
export async function blobUsage(db: Db, digests: string[]): Promise<Map<string, { links: number; references: number }>> {
  const out = new Map<string, { links: number; references: number }>();
  for (const part of chunks([...new Set(digests)])) {
    for (const d of part) out.set(d, { links: 0, references: 0 });
    const links = await db
      .selectFrom('repository_blobs')
      .select(['digest', (eb) => eb.fn.countAll<number | string>().as('n')])
      .where('digest', 'in', part)
      .groupBy('digest')
      .execute();
    for (const r of links) out.get(r.digest)!.links = Number(r.n);
    const refs = await db
      .selectFrom('manifest_references')
      .select(['digest', (eb) => eb.fn.countAll<number | string>().as('n')])
      .where('digest', 'in', part)
      .groupBy('digest')
      .execute();
    for (const r of refs) out.get(r.digest)!.references = Number(r.n);
  }
  return out;
}
