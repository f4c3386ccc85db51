import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { createMetadataStore, type KyselyMetadataStore } from '../metadata/index.js';
import { startPostgres, type PostgresServer } from './postgres.js';

export type Dialect = 'sqlite' | 'postgres';

/**
 * For suites that run on both dialects: one throwaway PostgreSQL and a temp directory for the
 * file's lifetime, and `open(dialect)` giving a fresh, migrated metadata database each call.
 */
export function metadataDatabases(prefix: string): (dialect: Dialect) => Promise<KyselyMetadataStore> {
  let pg: PostgresServer | undefined;
  let dir = '';
  let n = 0;
  const stores: KyselyMetadataStore[] = [];
  beforeAll(async () => {
    pg = await startPostgres();
    dir = await mkdtemp(join(tmpdir(), `portcullis-${prefix}-`));
  }, 60_000);
  afterAll(async () => {
    for (const s of stores) await s.close();
    await pg?.stop();
    await rm(dir, { recursive: true, force: true });
  });
  return async (dialect) => {
    n++;
    const store = await createMetadataStore(
      dialect === 'sqlite' ? { driver: 'sqlite', path: join(dir, `${prefix}-${n}.db`) } : { driver: 'postgres', url: await pg!.createDatabase(`${prefix}_${n}`) },
    );
    await store.migrate();
    stores.push(store);
    return store;
  };
}
