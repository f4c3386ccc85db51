import { existsSync, statSync } from 'node:fs';
import type { ImageInventory } from '../analysis/types.js';
import { SourceError, sourceFromManifest } from '../image/sources/index.js';
import { RegistryError } from '../registry/errors.js';
import { inputFromReport, type EvaluationInput } from '../policy/index.js';
import type { ManifestPushContext } from '../registry/registry.js';
import { openScanDb, scanImage, type ScannerName, type ScanReport } from '../scan/index.js';
import type { FinalFsCache, PlacedFile } from '../scan/cache.js';
import type { BlobStore } from '../storage/blobstore.js';
import { dbPath } from '../vulndb/db/paths.js';
import type { VulnDb } from '../vulndb/db/database.js';
import { finalFiles, gateLayerKey } from './analyse-layer.js';
import { FinalFsMemo } from './final-fs-memo.js';
import type { LayerJobs } from './layer-jobs.js';
import type { DbLayerStore, StoredEntry } from './layer-store.js';

export const NO_VULN_DATA = 'no-vulnerability-data';

/** The vulnerability DB of the cache directory, opened once it exists (a later `db import` needs no restart). */
export class VulnDbHandle {
  private db: VulnDb | undefined;
  private identity = '';

  constructor(private readonly cacheDir: string) {}

  get path(): string {
    return dbPath(this.cacheDir);
  }

  /** The DB, reopened when `db update`/`db pull` swapped in a new file (same path, new inode). */
  get(): VulnDb | undefined {
    let id: string;
    try {
      const st = statSync(this.path);
      id = `${st.ino}:${st.dev}`;
    } catch {
      return this.db;
    }
    if (this.db && id !== this.identity) this.close();
    if (!this.db && existsSync(this.path)) {
      this.db = openScanDb(this.cacheDir);
      this.identity = id;
    }
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
}

/** Views rebuilt in this process, shared by every push gate in it (they depend on layer content only). */
const memo = new FinalFsMemo();

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
    const db = deps.vulnDb.get();
    const scanners: ScannerName[] = db ? ['vuln', 'secret', 'misconfig'] : ['secret', 'misconfig'];
    const report = await scanImage(source, {
      scanners,
      cacheDir: deps.cacheDir,
      ...(db ? { db } : {}),
      layerCache: deps.layers,
      finalFsCache: fsCache,
      artifactName: `${ctx.repository}${ctx.tag ? `:${ctx.tag}` : ''}@${ctx.digest}`,
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
    return { report, inventory, input: inputFromReport(report, source.config), lateLayers: missing.length };
  } finally {
    await source.close();
  }
}
