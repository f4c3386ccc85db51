import { existsSync, statSync } from 'node:fs';
import type { ImageInventory } from '../analysis/types.js';
import { SourceError, sourceFromManifest } from '../image/sources/index.js';
import { RegistryError } from '../registry/errors.js';
import { inputFromReport, type EvaluationInput } from '../policy/index.js';
import type { ManifestPushContext } from '../registry/registry.js';
import { openScanDb, scanImage, type ScannerName, type ScanReport } from '../scan/index.js';
import type { FinalFsCache, PlacedFile } from '../scan/cache.js';
import type { BlobStore } from '../storage/blobstore.js';
import { LruMap } from '../util/lru.js';
import { dbPath } from '../vulndb/db/paths.js';
import type { VulnDb } from '../vulndb/db/database.js';
import { finalFiles, gateLayerKey } from './analyse-layer.js';
import type { AnalysisMemo } from './analysis-memo.js';
import { FinalFsMemo } from './final-fs-memo.js';
import type { LayerJobs } from './layer-jobs.js';
import type { DbLayerStore, StoredEntry } from './layer-store.js';

export const NO_VULN_DATA = 'no-vulnerability-data';

/** The vulnerability DB of the cache directory, opened once it exists (a later `db import` needs no restart). */
export class VulnDbHandle {
  private db: VulnDb | undefined;
  private identity = '';
  private seen = '';

  constructor(private readonly cacheDir: string) {}

  get path(): string {
    return dbPath(this.cacheDir);
  }

  /** The state of the DB's files at the last `get()` (file, modification times, sizes; '' when none): new data, new version. */
  get version(): string {
    return this.db ? this.seen : '';
  }

  /** The DB, reopened when `db update`/`db pull` swapped in a new file (same path, new inode). */
  get(): VulnDb | undefined {
    let st;
    try {
      st = statSync(this.path);
    } catch {
      return this.db;
    }
    const id = `${st.ino}:${st.dev}`;
    if (this.db && id !== this.identity) this.close();
    if (!this.db && existsSync(this.path)) {
      this.db = openScanDb(this.cacheDir);
      this.identity = id;
    }
    // Writes in place land in the write-ahead log until a checkpoint: its state counts too (read after opening, which may create it).
    const wal = statSync(`${this.path}-wal`, { throwIfNoEntry: false });
    this.seen = `${id}:${st.mtimeMs}:${st.size}:${wal ? `${wal.mtimeMs}:${wal.size}` : ''}`;
    return this.db;
  }

  close(): void {
    this.db?.close();
    this.db = undefined;
  }
}

export interface Analysis {
  report: ScanReport;
  inventory: ImageInventory;
  input: EvaluationInput;
  /** Layers that were not analysed in time and were read during the PUT. */
  lateLayers: number;
}

export interface AnalyseDeps {
  blobs: BlobStore;
  layers: DbLayerStore;
  jobs: LayerJobs;
  vulnDb: VulnDbHandle;
  cacheDir: string;
  waitMs: number;
  /** Recent analyses, for the same image pushed again (none: every push is analysed). */
  memo?: AnalysisMemo;
}

/** Views rebuilt in this process, shared by every push gate in it (they depend on layer content only). */
const memo = new FinalFsMemo();
/** Single-layer views built while the layer streamed in (JSON, parsed when an image of that layer alone is pushed). */
const layerViews = new LruMap<string, string>(8);

/**
 * Keeps the final filesystem of an image made of layer `key` alone, as a streamed analysis built
 * it: the first push of a single-layer image then skips replaying the layer's entries.
 */
export function rememberLayerView(key: string, viewJson: string): void {
  layerViews.set(key, viewJson);
}

/** A final-filesystem "cache" that answers with the view rebuilt from the layers' stored entries. */
function prebuilt(files: readonly PlacedFile[]): FinalFsCache {
  // The checks only read the view; scan's cache interface is typed for its on-disk cache.
  return { get: async () => files as PlacedFile[], set: async () => undefined };
}

/**
 * The final filesystem from the layers' stored entries (remembered per chain of layers), or
 * false when a layer was not analysed in time or has no entries (scan then reads the layers);
 * with the indexes of the layers whose entries are not stored.
 */
async function finalFsView(layers: DbLayerStore, keys: readonly string[], missing: readonly string[]): Promise<{ cache: FinalFsCache | false; unrecorded: number[] }> {
  const known = missing.length === 0 ? memo.get(keys) : undefined;
  if (known) return { cache: prebuilt(known), unrecorded: [] };
  const built = keys.length === 1 && missing.length === 0 ? layerViews.get(keys[0]!) : undefined;
  if (built !== undefined) {
    layerViews.delete(keys[0]!);
    return { cache: prebuilt(memo.set(keys, JSON.parse(built) as PlacedFile[])), unrecorded: [] };
  }
  const entries: StoredEntry[][] = [];
  const unrecorded: number[] = [];
  for (const [i, k] of keys.entries()) {
    const e = missing.includes(k) ? undefined : await layers.entries(k);
    if (e) entries.push(e);
    else unrecorded.push(i);
  }
  return { cache: unrecorded.length === 0 ? prebuilt(memo.set(keys, finalFiles(entries))) : false, unrecorded };
}

/**
 * The analysis behind a push decision: waits (bounded) for the layer jobs, then runs the scan
 * pipeline over cached facts (only layers still missing are read now), the final filesystem
 * rebuilt from stored entries, and the vulnerability DB.
 */
export async function analysePushedImage(deps: AnalyseDeps, ctx: ManifestPushContext): Promise<Analysis> {
  const db = deps.vulnDb.get();
  const memoKey = `${ctx.digest}|${deps.vulnDb.version}`;
  const known = deps.memo?.get(memoKey);
  const artifactName = `${ctx.repository}${ctx.tag ? `:${ctx.tag}` : ''}@${ctx.digest}`;
  if (known) {
    const report = { ...known.report, createdAt: new Date().toISOString(), artifact: { ...known.report.artifact, name: artifactName } };
    return { ...known, report, lateLayers: 0 };
  }
  let source;
  try {
    source = await sourceFromManifest({
      ref: `${ctx.repository}@${ctx.digest}`,
      manifestBytes: ctx.content,
      contentType: ctx.parsed.mediaType,
      expectedDigest: ctx.digest,
      fetchBlob: (d) => deps.blobs.read(d),
    });
  } catch (err) {
    // An image config that cannot be read (not JSON, too large) makes the manifest invalid, not the server.
    if (err instanceof SourceError) throw new RegistryError('MANIFEST_INVALID', `cannot read the image: ${err.message}`);
    throw err;
  }
  try {
    const keys = source.layers.map((l) => gateLayerKey(l.digest));
    const missing = await deps.jobs.waitFor(keys, deps.waitMs);
    const { cache: fsCache, unrecorded } = await finalFsView(deps.layers, keys, missing);
    const scanners: ScannerName[] = db ? ['vuln', 'secret', 'misconfig'] : ['secret', 'misconfig'];
    const report = await scanImage(source, {
      scanners,
      cacheDir: deps.cacheDir,
      ...(db ? { db } : {}),
      layerCache: deps.layers,
      finalFsCache: fsCache,
      artifactName,
    });
    // Layers read during this PUT: the jobs record their entries too, so the next push of them is fast.
    for (const i of unrecorded) await deps.jobs.ensure(source.layers[i]!.digest);
    if (!db) report.warnings.push({ code: NO_VULN_DATA, message: `no vulnerability data (${deps.vulnDb.path} is missing): vulnerabilities were not matched` });
    const inventory: ImageInventory = {
      digest: ctx.digest,
      ...(report.artifact.os ? { os: report.artifact.os } : {}),
      layers: report.artifact.layers,
      packages: report.packages.items,
      warnings: report.warnings,
    };
    const input = inputFromReport(report, source.config);
    // Only a complete analysis is reused: one that read late layers is redone once they are recorded.
    if (missing.length === 0 && unrecorded.length === 0) deps.memo?.set(memoKey, { report, inventory, input });
    return { report, inventory, input, lateLayers: missing.length };
  } finally {
    await source.close();
  }
}
