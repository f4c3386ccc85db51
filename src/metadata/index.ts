/**
 * The metadata module's public surface: open the database, get a MetadataStore, share the
 * Kysely instance with other modules, and the migration list they append to.
 */
import { openMetadataDatabase, type MetadataDatabase, type OpenOptions } from './connect.js';
import type { MetadataConfig } from './config.js';
import { KyselyMetadataStore, type KyselyMetadataStoreOptions } from './kysely-store.js';

export * from './store.js';
export {
  metadataConfigSchema,
  sqliteMetadataConfigSchema,
  postgresMetadataConfigSchema,
  type MetadataConfig,
  type SqliteMetadataConfig,
  type PostgresMetadataConfig,
} from './config.js';
export { openMetadataDatabase, type MetadataDatabase, type OpenOptions } from './connect.js';
export { KyselyMetadataStore, type KyselyMetadataStoreOptions } from './kysely-store.js';
export {
  MIGRATIONS,
  migrateToLatest,
  checkMigrationList,
  dialectTypes,
  type PortcullisMigration,
  type SqlDialect,
} from './migrations/index.js';
export type { RegistryTables } from './schema.js';

/**
 * Opens the configured database and returns the store (call `migrate()` before use).
 * `store.database` is the shared { db, dialect } for other modules' tables; closing the
 * store closes it.
 */
export async function createMetadataStore(
  config: MetadataConfig,
  options: OpenOptions & KyselyMetadataStoreOptions = {},
): Promise<KyselyMetadataStore> {
  const database: MetadataDatabase = await openMetadataDatabase(config, options);
  return new KyselyMetadataStore(database, options);
}
