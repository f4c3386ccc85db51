/** Manifests, tags and referrers: the writes that must be atomic and the reads the registry serves. */
import type { Kysely } from 'kysely';
import type { SqlDialect } from './migrations/types.js';
import { asBuffer, chunks, pageLimit, toDate, toReferrerRow } from './rows.js';
import type { RegistryTables } from './schema.js';
import { touchLinks } from './lifecycle.js';
import { ImmutableTagError, MissingBlobLinksError } from './store.js';
import type { ManifestInput, Page, PutManifestOptions, ReferrerRow, TagRow } from './store.js';

type Db = Kysely<RegistryTables>;

export async function putManifest(
  db: Db,
  dialect: SqlDialect,
  repositoryId: number,
  m: ManifestInput,
  tag: string | undefined,
  now: number,
  options: PutManifestOptions = {},
): Promise<{ previousTagDigest?: string }> {
  const content = asBuffer(m.content);
  // Duplicate descriptors (the same layer twice) are one reference.
  const refs = new Map<string, 'blob' | 'manifest'>();
  for (const r of m.references) if (!refs.has(r.digest) || r.kind === 'manifest') refs.set(r.digest, r.kind);

  return db.transaction().execute(async (trx) => {
    // Writes first: on SQLite the transaction holds the write lock from its first statement.
    const inserted = await trx
      .insertInto('manifests')
      .values({
        repository_id: repositoryId,
        digest: m.digest,
        media_type: m.mediaType,
        artifact_type: m.artifactType ?? null,
        subject: m.subject ?? null,
        config_digest: m.configDigest ?? null,
        annotations: m.annotations === undefined ? null : JSON.stringify(m.annotations),
        size: content.byteLength,
        content,
        created_at: now,
      })
      .onConflict((oc) => oc.columns(['repository_id', 'digest']).doNothing())
      .executeTakeFirst();
    if (options.requireBlobLinks) {
      // The touch (an UPDATE) makes a concurrent GC link deletion wait for this transaction
      // and then re-check linked_at, which is fresh; a link GC already removed fails the push.
      const blobs = [...refs].filter(([, kind]) => kind === 'blob').map(([d]) => d);
      const linked = await touchLinks(trx, repositoryId, blobs, now);
      const missing = blobs.filter((d) => !linked.has(d));
      if (missing.length > 0) throw new MissingBlobLinksError(missing);
    }
    // An existing manifest already has its references (same digest, same content).
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) > 0) {
      for (const part of chunks([...refs])) {
        await trx
          .insertInto('manifest_references')
          .values(part.map(([digest, kind]) => ({ repository_id: repositoryId, manifest_digest: m.digest, digest, kind })))
          .onConflict((oc) => oc.columns(['repository_id', 'manifest_digest', 'digest']).doNothing())
          .execute();
      }
    }
    if (tag === undefined) return {};

    // Insert first, then lock: a row that exists can be locked (FOR UPDATE waits for a
    // concurrent mover and sees its commit), so every concurrent move reports its true
    // predecessor. SQLite transactions are serial anyway.
    const created = await trx
      .insertInto('tags')
      .values({ repository_id: repositoryId, name: tag, digest: m.digest, updated_at: now })
      .onConflict((oc) => oc.columns(['repository_id', 'name']).doNothing())
      .executeTakeFirst();
    if (Number(created.numInsertedOrUpdatedRows ?? 0n) > 0) return {};
    const previous = await trx
      .selectFrom('tags')
      .select('digest')
      .where('repository_id', '=', repositoryId)
      .where('name', '=', tag)
      .$if(dialect === 'postgres', (q) => q.forUpdate())
      .executeTakeFirstOrThrow();
    if (previous.digest !== m.digest) {
      if (options.immutableTag) throw new ImmutableTagError(tag, previous.digest);
      await trx
        .updateTable('tags')
        .set({ digest: m.digest, updated_at: now })
        .where('repository_id', '=', repositoryId)
        .where('name', '=', tag)
        .execute();
    }
    return { previousTagDigest: previous.digest };
  });
}

export async function deleteManifest(db: Db, repositoryId: number, digest: string): Promise<boolean> {
  // Tags and references go with it (ON DELETE CASCADE).
  const res = await db
    .deleteFrom('manifests')
    .where('repository_id', '=', repositoryId)
    .where('digest', '=', digest)
    .executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}

export async function existingManifests(db: Db, repositoryId: number, digests: string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (const part of chunks([...new Set(digests)])) {
    const rows = await db
      .selectFrom('manifests')
      .select('digest')
      .where('repository_id', '=', repositoryId)
      .where('digest', 'in', part)
      .execute();
    for (const r of rows) found.add(r.digest);
  }
  return found;
}

export async function parentsOf(db: Db, repositoryId: number, digest: string): Promise<string[]> {
  const rows = await db
    .selectFrom('manifest_references')
    .select('manifest_digest')
    .where('digest', '=', digest)
    .where('repository_id', '=', repositoryId)
    .where('kind', '=', 'manifest')
    .orderBy('manifest_digest')
    .execute();
  return rows.map((r) => r.manifest_digest);
}

export async function listTags(db: Db, repositoryId: number, page?: Page): Promise<string[]> {
  const n = pageLimit(page);
  if (n === 0) return [];
  const last = page?.last;
  const rows = await db
    .selectFrom('tags')
    .select('name')
    .where('repository_id', '=', repositoryId)
    .$if(last !== undefined, (q) => q.where('name', '>', last ?? ''))
    .orderBy('name')
    .$if(n !== undefined, (q) => q.limit(n ?? 0))
    .execute();
  return rows.map((r) => r.name);
}

export async function tagsOf(db: Db, repositoryId: number, digest: string): Promise<TagRow[]> {
  const rows = await db
    .selectFrom('tags')
    .select(['name', 'digest', 'updated_at'])
    .where('repository_id', '=', repositoryId)
    .where('digest', '=', digest)
    .orderBy('name')
    .execute();
  return rows.map((r) => ({ name: r.name, digest: r.digest, updatedAt: toDate(r.updated_at) }));
}

export async function deleteTag(db: Db, repositoryId: number, tag: string, expectedDigest?: string): Promise<boolean> {
  const res = await db
    .deleteFrom('tags')
    .where('repository_id', '=', repositoryId)
    .where('name', '=', tag)
    .$if(expectedDigest !== undefined, (q) => q.where('digest', '=', expectedDigest ?? ''))
    .executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}

export async function listReferrers(
  db: Db,
  repositoryId: number,
  subject: string,
  artifactType?: string,
): Promise<ReferrerRow[]> {
  const rows = await db
    .selectFrom('manifests')
    .select(['digest', 'media_type', 'artifact_type', 'size', 'annotations'])
    .where('repository_id', '=', repositoryId)
    .where('subject', '=', subject)
    .$if(artifactType !== undefined, (q) => q.where('artifact_type', '=', artifactType ?? ''))
    .orderBy('digest')
    .execute();
  return rows.map(toReferrerRow);
}
