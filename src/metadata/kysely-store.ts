/**
 * The one MetadataStore implementation: the same Kysely queries on SQLite and PostgreSQL.
 * Manifest/tag/referrer logic lives in manifests.ts; this class wires it up and holds the
 * repository, blob-link and upload queries plus the precompiled hot read path.
 */
import type { Selectable } from 'kysely';
import type { MetadataDatabase } from './connect.js';
import * as manifests from './manifests.js';
import { migrateToLatest, MIGRATIONS, type PortcullisMigration } from './migrations/index.js';
import { PreparedQuery } from './prepared.js';
import * as lifecycle from './lifecycle.js';
import { chunks, one, pageLimit, toDate, toManifestRow } from './rows.js';
import type { ManifestsTable } from './schema.js';
import { KyselyLifecycleStore } from './lifecycle-store.js';
import { BlobDeletingError } from './store.js';
import type {
  PutManifestOptions,
  ManifestInput,
  ManifestRow,
  MetadataStore,
  Page,
  ReferrerRow,
  RepositoryRow,
  TagRow,
  UploadRow,
} from './store.js';

/**
 * Named columns, never `*`, in the prepared statements: PostgreSQL refuses to reuse a
 * prepared `SELECT *` once a later migration (run by a newer process) adds a column.
 */
const MANIFEST_COLUMNS = [
  'repository_id',
  'digest',
  'media_type',
  'artifact_type',
  'subject',
  'config_digest',
  'annotations',
  'size',
  'content',
  'created_at',
] as const satisfies ReadonlyArray<keyof ManifestsTable>;

type ManifestColumns = Pick<Selectable<ManifestsTable>, (typeof MANIFEST_COLUMNS)[number]>;

export interface KyselyMetadataStoreOptions {
  /** Migrations migrate() applies; default: the project's MIGRATIONS list. */
  migrations?: readonly PortcullisMigration[];
  /** Clock for created/updated times (tests). */
  now?: () => number;
}

export class KyselyMetadataStore extends KyselyLifecycleStore implements MetadataStore {
  readonly dialect: 'sqlite' | 'postgres';
  /** The shared database: other modules keep their tables here too. */
  readonly database: MetadataDatabase;
  readonly #migrations: readonly PortcullisMigration[];
  readonly #now: () => number;
  readonly #repositoryByName: PreparedQuery<[string], { id: number; name: string; created_at: number | string }>;
  readonly #tagDigest: PreparedQuery<[number, string], { digest: string }>;
  readonly #manifest: PreparedQuery<[number, string], ManifestColumns>;
  readonly #taggedManifest: PreparedQuery<[number, string], ManifestColumns>;

  constructor(database: MetadataDatabase, options: KyselyMetadataStoreOptions = {}) {
    super();
    this.database = database;
    this.dialect = database.dialect;
    this.#migrations = options.migrations ?? MIGRATIONS;
    this.#now = options.now ?? Date.now;
    const db = database.db;
    this.#repositoryByName = new PreparedQuery(
      database,
      db.selectFrom('repositories').select(['id', 'name', 'created_at']).where('name', '=', ''),
      1,
    );
    this.#tagDigest = new PreparedQuery(
      database,
      db.selectFrom('tags').select('digest').where('repository_id', '=', 0).where('name', '=', ''),
      2,
    );
    this.#manifest = new PreparedQuery(
      database,
      db.selectFrom('manifests').select(MANIFEST_COLUMNS).where('repository_id', '=', 0).where('digest', '=', ''),
      2,
    );
    this.#taggedManifest = new PreparedQuery(
      database,
      db
        .selectFrom('tags')
        .innerJoin('manifests', (j) =>
          j.onRef('manifests.repository_id', '=', 'tags.repository_id').onRef('manifests.digest', '=', 'tags.digest'),
        )
        .select(MANIFEST_COLUMNS.map((c) => `manifests.${c}` as const))
        .where('tags.repository_id', '=', 0)
        .where('tags.name', '=', ''),
      2,
    );
  }

  get db() {
    return this.database.db;
  }

  protected lifecycleNow(): number {
    return this.#now();
  }

  async migrate(): Promise<void> {
    await migrateToLatest(this.db, this.dialect, this.#migrations);
  }

  async close(): Promise<void> {
    await this.database.close();
  }

  // --- repositories

  async ensureRepository(name: string): Promise<number> {
    const existing = await this.#repositoryByName.first(name);
    if (existing) return Number(existing.id);
    await this.db
      .insertInto('repositories')
      .values({ name, created_at: this.#now() })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
    const row = await this.#repositoryByName.first(name);
    if (!row) throw new Error(`repository ${name} vanished while being created`);
    return Number(row.id);
  }

  async getRepository(name: string): Promise<RepositoryRow | undefined> {
    const row = await this.#repositoryByName.first(name);
    return row && { id: Number(row.id), name: row.name, createdAt: toDate(row.created_at) };
  }

  async listRepositories(page?: Page): Promise<string[]> {
    const n = pageLimit(page);
    if (n === 0) return [];
    const last = page?.last;
    const rows = await this.db
      .selectFrom('repositories as r')
      .select('r.name')
      .where((eb) =>
        eb.or([
          eb.exists(eb.selectFrom('manifests as m').select(one.as('x')).whereRef('m.repository_id', '=', 'r.id')),
          eb.exists(
            eb.selectFrom('repository_blobs as b').select(one.as('x')).whereRef('b.repository_id', '=', 'r.id'),
          ),
        ]),
      )
      .$if(last !== undefined, (q) => q.where('r.name', '>', last ?? ''))
      .orderBy('r.name')
      .$if(n !== undefined, (q) => q.limit(n ?? 0))
      .execute();
    return rows.map((r) => r.name);
  }

  async deleteRepository(name: string): Promise<boolean> {
    // Manifests, tags, references, links and uploads go with it (ON DELETE CASCADE).
    const res = await this.db.deleteFrom('repositories').where('name', '=', name).executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }

  // --- blobs

  async linkBlob(repositoryId: number, digest: string, size: number): Promise<void> {
    const now = this.#now();
    await this.db.transaction().execute(async (trx) => {
      if (!(await lifecycle.claimBlob(trx, digest, size, now))) throw new BlobDeletingError(digest);
      await trx
        .insertInto('repository_blobs')
        .values({ repository_id: repositoryId, digest, linked_at: now })
        .onConflict((oc) => oc.columns(['repository_id', 'digest']).doUpdateSet({ linked_at: now }))
        .execute();
    });
  }

  async linkedBlobSize(repositoryId: number, digest: string): Promise<number | undefined> {
    const row = await this.db
      .selectFrom('repository_blobs as l')
      .innerJoin('blobs as b', 'b.digest', 'l.digest')
      .select('b.size')
      .where('l.repository_id', '=', repositoryId)
      .where('l.digest', '=', digest)
      .executeTakeFirst();
    return row && Number(row.size);
  }

  async unlinkBlob(repositoryId: number, digest: string): Promise<boolean> {
    const res = await this.db
      .deleteFrom('repository_blobs')
      .where('repository_id', '=', repositoryId)
      .where('digest', '=', digest)
      .executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }

  async linkedBlobs(repositoryId: number, digests: string[]): Promise<Set<string>> {
    const found = new Set<string>();
    for (const part of chunks([...new Set(digests)])) {
      const rows = await this.db
        .selectFrom('repository_blobs')
        .select('digest')
        .where('repository_id', '=', repositoryId)
        .where('digest', 'in', part)
        .execute();
      for (const r of rows) found.add(r.digest);
    }
    return found;
  }

  async unreferencedBlobs(olderThan: Date, limit?: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('blobs as b')
      .select('b.digest')
      .where('b.touched_at', '<', olderThan.getTime())
      .where('b.state', '=', 'live')
      .where((eb) =>
        eb.not(eb.exists(eb.selectFrom('repository_blobs as l').select(one.as('x')).whereRef('l.digest', '=', 'b.digest'))),
      )
      .where((eb) =>
        eb.not(
          eb.exists(eb.selectFrom('manifest_references as r').select(one.as('x')).whereRef('r.digest', '=', 'b.digest')),
        ),
      )
      .orderBy('b.digest')
      .$if(limit !== undefined, (q) => q.limit(limit ?? 0))
      .execute();
    return rows.map((r) => r.digest);
  }

  async danglingLinks(olderThan: Date, limit?: number): Promise<Array<{ repositoryId: number; digest: string }>> {
    const rows = await this.db
      .selectFrom('repository_blobs as l')
      .select(['l.repository_id', 'l.digest'])
      .where('l.linked_at', '<', olderThan.getTime())
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('manifest_references as r')
              .select(one.as('x'))
              .whereRef('r.digest', '=', 'l.digest')
              .whereRef('r.repository_id', '=', 'l.repository_id'),
          ),
        ),
      )
      .orderBy('l.repository_id')
      .orderBy('l.digest')
      .$if(limit !== undefined, (q) => q.limit(limit ?? 0))
      .execute();
    return rows.map((r) => ({ repositoryId: Number(r.repository_id), digest: r.digest }));
  }

  async forgetBlob(digest: string): Promise<void> {
    // Links go with it (ON DELETE CASCADE).
    await this.db.deleteFrom('blobs').where('digest', '=', digest).execute();
  }

  // --- uploads

  async createUpload(upload: { id: string; repositoryId: number; startedAt: Date }): Promise<void> {
    const at = upload.startedAt.getTime();
    await this.db
      .insertInto('uploads')
      .values({ id: upload.id, repository_id: upload.repositoryId, started_at: at, updated_at: at })
      .execute();
  }

  async getUpload(id: string): Promise<UploadRow | undefined> {
    const row = await this.db.selectFrom('uploads').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toUploadRow(row);
  }

  async touchUpload(id: string, at: Date): Promise<void> {
    await this.db.updateTable('uploads').set({ updated_at: at.getTime() }).where('id', '=', id).execute();
  }

  async deleteUpload(id: string): Promise<boolean> {
    const res = await this.db.deleteFrom('uploads').where('id', '=', id).executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }

  async staleUploads(before: Date): Promise<UploadRow[]> {
    const rows = await this.db
      .selectFrom('uploads')
      .selectAll()
      .where('updated_at', '<', before.getTime())
      .orderBy('updated_at')
      .orderBy('id')
      .execute();
    return rows.map(toUploadRow);
  }

  // --- manifests and tags

  async putManifest(
    repositoryId: number,
    manifest: ManifestInput,
    tag?: string,
    options: PutManifestOptions = {},
  ): Promise<{ previousTagDigest?: string }> {
    return manifests.putManifest(this.db, this.dialect, repositoryId, manifest, tag, this.#now(), options);
  }

  async getManifest(repositoryId: number, digest: string): Promise<ManifestRow | undefined> {
    const row = await this.#manifest.first(repositoryId, digest);
    return row && toManifestRow(row);
  }

  async getTaggedManifest(repositoryId: number, tag: string): Promise<ManifestRow | undefined> {
    const row = await this.#taggedManifest.first(repositoryId, tag);
    return row && toManifestRow(row);
  }

  async resolveTag(repositoryId: number, tag: string): Promise<string | undefined> {
    return (await this.#tagDigest.first(repositoryId, tag))?.digest;
  }

  existingManifests(repositoryId: number, digests: string[]): Promise<Set<string>> {
    return manifests.existingManifests(this.db, repositoryId, digests);
  }

  deleteManifest(repositoryId: number, digest: string): Promise<boolean> {
    return manifests.deleteManifest(this.db, repositoryId, digest);
  }

  parentsOf(repositoryId: number, digest: string): Promise<string[]> {
    return manifests.parentsOf(this.db, repositoryId, digest);
  }

  listTags(repositoryId: number, page?: Page): Promise<string[]> {
    return manifests.listTags(this.db, repositoryId, page);
  }

  tagsOf(repositoryId: number, digest: string): Promise<TagRow[]> {
    return manifests.tagsOf(this.db, repositoryId, digest);
  }

  deleteTag(repositoryId: number, tag: string, expectedDigest?: string): Promise<boolean> {
    return manifests.deleteTag(this.db, repositoryId, tag, expectedDigest);
  }

  listReferrers(repositoryId: number, subject: string, artifactType?: string): Promise<ReferrerRow[]> {
    return manifests.listReferrers(this.db, repositoryId, subject, artifactType);
  }
}

function toUploadRow(r: { id: string; repository_id: number; started_at: number | string; updated_at: number | string }): UploadRow {
  return {
    id: r.id,
    repositoryId: Number(r.repository_id),
    startedAt: toDate(r.started_at),
    updatedAt: toDate(r.updated_at),
  };
}
