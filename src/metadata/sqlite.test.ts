import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkMigrationList, createMetadataStore, metadataConfigSchema, type PortcullisMigration } from './index.js';
import { metadataConformance } from './testing/conformance.js';

const root = await mkdtemp(join(tmpdir(), 'portcullis-sqlite-'));
let counter = 0;
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

metadataConformance('sqlite', () => createMetadataStore({ driver: 'sqlite', path: join(root, `db${++counter}`, 'metadata.db') }));

describe('sqlite specifics', () => {
  it('opens in WAL mode with foreign keys on and survives a reopen', async () => {
    const path = join(root, 'reopen', 'metadata.db');
    const a = await createMetadataStore({ driver: 'sqlite', path });
    await a.migrate();
    const r = await a.ensureRepository('persist');
    await a.linkBlob(r, 'sha256:aa', 1);
    const { db } = a.database;
    const pragma = async (name: string) => (await db.executeQuery<Record<string, unknown>>({
      sql: `pragma ${name}`, parameters: [], query: { kind: 'RawNode' } as never, queryId: { queryId: name },
    })).rows[0];
    expect(Object.values((await pragma('journal_mode'))!)).toEqual(['wal']);
    expect(Object.values((await pragma('foreign_keys'))!)).toEqual([1]);
    expect(Object.values((await pragma('synchronous'))!)).toEqual([1]);
    await a.close();

    const b = await createMetadataStore({ driver: 'sqlite', path });
    await b.migrate();
    expect(await b.listRepositories()).toEqual(['persist']);
    await b.close();
  });

  it('a second store on the same file sees the first one\'s schema and data', async () => {
    // Both connections live in this one thread, so they take turns here; across processes
    // BEGIN IMMEDIATE + busy_timeout serialize them.
    const path = join(root, 'shared', 'metadata.db');
    const a = await createMetadataStore({ driver: 'sqlite', path });
    const b = await createMetadataStore({ driver: 'sqlite', path });
    await a.migrate();
    await b.migrate();
    const id = await a.ensureRepository('x');
    expect(await b.ensureRepository('x')).toBe(id);
    const digests = Array.from({ length: 20 }, (_, i) => `sha256:${String(i).padStart(2, '0')}`);
    for (const [i, d] of digests.entries()) await (i % 2 ? a : b).linkBlob(id, d, i);
    expect((await a.linkedBlobs(id, digests)).size).toBe(20);
    await a.close();
    await b.close();
  });

  it('migrations run inside a transaction: a failing one leaves no partial schema', async () => {
    const path = join(root, 'atomic', 'metadata.db');
    const broken: PortcullisMigration = {
      name: '9999_broken',
      async up(db) {
        await db.schema.createTable('half_done').addColumn('id', 'integer').execute();
        throw new Error('boom');
      },
    };
    const { MIGRATIONS } = await import('./migrations/index.js');
    const store = await createMetadataStore({ driver: 'sqlite', path }, { migrations: [...MIGRATIONS, broken] });
    await expect(store.migrate()).rejects.toThrow(/9999_broken.*boom/);
    const tables = await store.database.db.introspection.getTables();
    expect(tables.map((t) => t.name)).not.toContain('half_done');
    await store.close();
  });
});

describe('migration list', () => {
  const m = (name: string): PortcullisMigration => ({ name, up: async () => undefined });
  it('accepts ascending unique names and rejects the rest', () => {
    expect(() => checkMigrationList([m('0001_a'), m('0002_b')])).not.toThrow();
    expect(() => checkMigrationList([m('0002_b'), m('0001_a')])).toThrow(/ascend/);
    expect(() => checkMigrationList([m('0001_a'), m('0001_a')])).toThrow(/twice/);
  });

  it('runs migrations appended to the list, once', async () => {
    let runs = 0;
    const extra: PortcullisMigration = {
      name: '9999_test_extra',
      async up(db, dialect) {
        runs++;
        expect(dialect).toBe('sqlite');
        await db.schema.createTable('extra_things').addColumn('id', 'integer', (c) => c.primaryKey()).execute();
      },
    };
    const { MIGRATIONS } = await import('./migrations/index.js');
    const path = join(root, 'extra', 'metadata.db');
    const store = await createMetadataStore({ driver: 'sqlite', path }, { migrations: [...MIGRATIONS, extra] });
    await store.migrate();
    await store.migrate();
    expect(runs).toBe(1);
    await store.database.db.withTables<{ extra_things: { id: number } }>().insertInto('extra_things').values({ id: 1 }).execute();
    await store.close();
  });
});

describe('config schema', () => {
  it('fills defaults and validates fields', () => {
    expect(metadataConfigSchema.parse({ driver: 'sqlite', path: 'x.db' })).toEqual({ driver: 'sqlite', path: 'x.db', busyTimeoutMs: 5000 });
    expect(metadataConfigSchema.parse({ driver: 'postgres', url: 'postgres://h/db' })).toMatchObject({ poolSize: 10 });
    expect(() => metadataConfigSchema.parse({ driver: 'postgres' })).toThrow(/url or host/);
    expect(() => metadataConfigSchema.parse({ driver: 'postgres', host: 'h', poolSize: 0 })).toThrow();
    expect(() => metadataConfigSchema.parse({ driver: 'mysql' })).toThrow();
    expect(() => metadataConfigSchema.parse({ driver: 'sqlite', path: 'x', bogus: 1 })).toThrow();
  });
});
