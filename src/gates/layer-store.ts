import type { Kysely } from 'kysely';
import type { LayerCache } from '../analysis/engine/index.js';
import type { LayerFacts } from '../analysis/types.js';
import type { LayerEntryType } from '../image/layers/types.js';
import type { GateTables } from './tables.js';

/** One tar entry of a layer as metadata: enough to replay it into a VirtualFs. */
export interface StoredEntry {
  path: string;
  type: LayerEntryType;
  size: number;
  mode: number;
  uid: number;
  gid: number;
  linkTarget?: string;
}

/**
 * The registry's layer cache in the metadata database: analysed once per (layer digest,
 * analyzer versions) by whichever process ran the job, read by every process at manifest PUT.
 * Alongside the facts it keeps the layer's entries, so the final filesystem (for the
 * misconfiguration checks) is rebuilt without reading a layer again.
 */
export class DbLayerStore implements LayerCache {
  private readonly db: Kysely<GateTables>;

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  constructor(db: Kysely<any>) {
    this.db = db as Kysely<GateTables>;
  }

  async get(key: string): Promise<LayerFacts | undefined> {
    const row = await this.db.selectFrom('gate_layers').select('facts').where('cache_key', '=', key).executeTakeFirst();
    return row ? (JSON.parse(row.facts) as LayerFacts) : undefined;
  }

  /** Facts from an analysis that did not record entries (the scan pipeline's own fallback) are stored without them. */
  async set(key: string, facts: LayerFacts): Promise<void> {
    await this.put(key, facts, undefined);
  }

  async put(key: string, facts: LayerFacts, entries: StoredEntry[] | undefined): Promise<void> {
    // Facts alone never replace a row that may hold entries.
    await this.insert(key, facts.layerDigest, JSON.stringify(facts), entries ? JSON.stringify(entries) : 'null', entries !== undefined);
  }

  /** Facts and entries already serialised (a streamed analysis's result); `layerDigest` is the facts' digest. */
  async putJson(key: string, layerDigest: string, factsJson: string, entriesJson: string): Promise<void> {
    await this.insert(key, layerDigest, factsJson, entriesJson, true);
  }

  private async insert(key: string, layerDigest: string, facts: string, entries: string, replace: boolean): Promise<void> {
    const row = { cache_key: key, layer_digest: layerDigest, facts, entries, created_at: Date.now() };
    await this.db
      .insertInto('gate_layers')
      .values(row)
      .onConflict((oc) => (replace ? oc.column('cache_key').doUpdateSet({ facts, entries, created_at: row.created_at }) : oc.column('cache_key').doNothing()))
      .execute();
  }

  async has(key: string): Promise<boolean> {
    return (await this.db.selectFrom('gate_layers').select('cache_key').where('cache_key', '=', key).executeTakeFirst()) !== undefined;
  }

  /** Whether the layer's facts and its entries are stored (facts alone come from a scan that read the layer itself). */
  async complete(key: string): Promise<boolean> {
    const row = await this.db.selectFrom('gate_layers').select('cache_key').where('cache_key', '=', key).where('entries', '!=', 'null').executeTakeFirst();
    return row !== undefined;
  }

  /** Keys (of those asked) whose facts and entries are stored. */
  async present(keys: readonly string[]): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const rows = await this.db.selectFrom('gate_layers').select('cache_key').where('cache_key', 'in', [...keys]).where('entries', '!=', 'null').execute();
    return new Set(rows.map((r) => r.cache_key));
  }

  /** The entries of a layer, or undefined when they were not recorded. */
  async entries(key: string): Promise<StoredEntry[] | undefined> {
    const row = await this.db.selectFrom('gate_layers').select('entries').where('cache_key', '=', key).executeTakeFirst();
    if (!row) return undefined;
    const parsed = JSON.parse(row.entries) as StoredEntry[] | null;
    return parsed ?? undefined;
  }
}
