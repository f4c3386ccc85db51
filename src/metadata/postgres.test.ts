import { existsSync } from 'node:fs';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PostgresServer } from '../testing/postgres.js';
import { createMetadataStore, postgresMetadataConfigSchema } from './index.js';
import { postgresConnectionString } from './connect.js';
import { metadataConformance, sha } from './testing/conformance.js';

// One server for the file. The conformance tests share one migrated database, emptied
// before each test (TRUNCATE is ~10x faster than CREATE DATABASE); the tests of migrations
// themselves get databases of their own.
let server: PostgresServer;
let counter = 0;
let conformanceUrl: string;
beforeAll(async () => {
  server = await startPostgres();
  conformanceUrl = await server.createDatabase('conformance');
  const store = await createMetadataStore({ driver: 'postgres', url: conformanceUrl });
  await store.migrate();
  await store.close();
});
afterAll(async () => {
  await server?.stop();
});

const TABLES = ['repositories', 'blobs', 'repository_blobs', 'manifests', 'manifest_references', 'tags', 'uploads'];
const LIFECYCLE_TABLES = ['immutable_tag_rules', 'retention_policies', 'project_quotas'];

async function emptiedStore() {
  const store = await createMetadataStore({ driver: 'postgres', url: conformanceUrl, poolSize: 8 });
  await sql`truncate ${sql.join([...TABLES, ...LIFECYCLE_TABLES].map((t) => sql.table(t)))} restart identity cascade`.execute(store.database.db);
  return store;
}

async function freshStore() {
  const url = await server.createDatabase(`fresh_${++counter}`);
  return createMetadataStore({ driver: 'postgres', url, poolSize: 8 });
}

metadataConformance('postgres', emptiedStore);

describe('postgres specifics', () => {
  it('declares byte-ordered (COLLATE "C") name columns', async () => {
    const store = await freshStore();
    await store.migrate();
    const { rows } = await sql<{ t: string; c: string; k: string | null }>`
      select table_name as t, column_name as c, collation_name as k from information_schema.columns
      where table_schema = 'public' and column_name in ('name', 'digest') and table_name in (${sql.join(TABLES)})
      order by 1, 2`.execute(store.database.db);
    expect(rows.length).toBeGreaterThan(3);
    for (const r of rows) expect(r.k, `${r.t}.${r.c}`).toBe('C');
    await store.close();
  });

  it('a second process sharing the database migrates once and sees the data', async () => {
    const url = await server.createDatabase(`shared_${++counter}`);
    const a = await createMetadataStore({ driver: 'postgres', url });
    const b = await createMetadataStore({ driver: 'postgres', url });
    await Promise.all([a.migrate(), b.migrate()]);
    const id = await a.ensureRepository('x');
    await a.putManifest(id, { digest: sha('m'), mediaType: 'application/json', content: Buffer.from('{}'), references: [] }, 'v1');
    expect(await b.resolveTag(id, 'v1')).toBe(sha('m'));
    await a.close();
    await b.close();
  });

  it('hot queries run as named prepared statements', async () => {
    // One connection, so the session that ran the queries is the one asked.
    const url = await server.createDatabase(`hot_${++counter}`);
    const store = await createMetadataStore({ driver: 'postgres', url, poolSize: 1 });
    await store.migrate();
    const id = await store.ensureRepository('hot');
    await store.putManifest(id, { digest: sha('h'), mediaType: 'application/json', content: Buffer.from('{}'), references: [] }, 'v1');
    for (let i = 0; i < 3; i++) expect((await store.getTaggedManifest(id, 'v1'))?.digest).toBe(sha('h'));
    const { rows } = await sql<{ name: string; statement: string }>`select name, statement from pg_prepared_statements`.execute(
      store.database.db,
    );
    const hot = rows.filter((r) => r.name.startsWith('portcullis_'));
    expect(hot.some((r) => r.statement.includes('inner join "manifests"'))).toBe(true);
    await store.close();
  });
});

describe('throwaway server', () => {
  it('stop() ends the server and removes its directory', async () => {
    const other = await startPostgres();
    expect(existsSync(other.dir)).toBe(true);
    const client = new pg.Client({ connectionString: other.url });
    await client.connect();
    expect((await client.query<{ server_version: string }>('show server_version')).rows[0]?.server_version).toMatch(/^15\./);
    await client.end();
    await other.stop();
    await other.stop();
    expect(existsSync(other.dir)).toBe(false);
    const late = new pg.Client({ connectionString: other.url, connectionTimeoutMillis: 2000 });
    await expect(late.connect()).rejects.toThrow();
  });
});

describe('postgres config', () => {
  it('applies separate fields over the url', () => {
    const c = postgresMetadataConfigSchema.parse({
      driver: 'postgres',
      url: 'postgres://u:p@db.example:5432/reg?sslmode=require',
      host: 'other',
      port: 6543,
      password: 's3cr/t@',
      database: 'portcullis',
    });
    const url = new URL(postgresConnectionString(c));
    expect(url.hostname).toBe('other');
    expect(url.port).toBe('6543');
    expect(url.username).toBe('u');
    expect(decodeURIComponent(url.password)).toBe('s3cr/t@');
    expect(url.pathname).toBe('/portcullis');
    expect(url.searchParams.get('sslmode')).toBe('require');
  });
});
