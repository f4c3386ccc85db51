/** The vulnerability DB module: what other modules (scan, registry, policy, report) call. */
export { VulnDb, type Candidate, type ImportItem, type ImportStats, type SourceInfo, type SourceRow } from './db/database.js';
export { dbPath, resolveCacheDir, DB_FILE_NAME } from './db/paths.js';
export { rebuildAtomically } from './db/swap.js';
export { importPath, prepareImport, FORMATS, FeedFormatError, type FeedFormat } from './importers/index.js';
export { matchInventory, type MatchOptions } from './match/index.js';
export { dbStatus, formatStatus, type DbStatus } from './status.js';
export { updateDb, DEFAULT_FEEDS, parseFeedArg, type FeedSpec, type UpdateResult } from './update/update.js';
export { pushDb, pullDb, VULNDB_ARTIFACT_TYPE } from './oci.js';
export { importInWorker, type ImportInWorkerOptions } from './import-pool.js';
export type { ImportTask } from './worker.js';
export { SCHEMES, schemeByName, schemeForEcosystem, InvalidVersionError, type VersionScheme } from './versions/index.js';
export { scoreVector, cvssFromVector, severityFromCvss } from './cvss/index.js';
export { severityFromScore } from './severity.js';
export * from './types.js';

import { VulnDb } from './db/database.js';
import { dbPath, resolveCacheDir } from './db/paths.js';

/** Opens the DB of a cache directory (--cache-dir, PORTCULLIS_CACHE_DIR, ~/.cache/portcullis). */
export function openVulnDb(opts: { cacheDir?: string; readonly?: boolean } = {}): VulnDb {
  return VulnDb.open(dbPath(resolveCacheDir(opts.cacheDir)), { readonly: opts.readonly ?? false });
}
