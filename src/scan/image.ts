import type { Analyzer } from '../analysis/analyzer.js';
import { ANALYZERS } from '../analysis/analyzers/index.js';
import { analyzeImage, analyzerIds, DiskLayerCache, layerCacheKey, type FileVisitor, type LayerCache } from '../analysis/engine/index.js';
import { runMisconfigChecks, type MisconfigFinding, type MisconfigOptions } from '../analysis/misconfig/index.js';
import {
  createSecretVisitor,
  defaultSecretScanner,
  placeLayerSecrets,
  scanImageConfigForSecrets,
  scannerFromConfig,
  type SecretConfig,
  type SecretFinding,
} from '../analysis/secrets/index.js';
import type { ImageInventory, Warning } from '../analysis/types.js';
import type { VirtualFs } from '../image/layers/vfs.js';
import type { ImageSource } from '../image/sources/types.js';
import { resolveCacheDir } from '../vulndb/db/paths.js';
import type { VulnDb } from '../vulndb/db/database.js';
import { matchInventory } from '../vulndb/match/index.js';
import type { VulnFinding } from '../vulndb/types.js';
import { DiskFinalFsCache, finalFsCacheDir, finalFsKey, layerCacheDir, type FinalFsCache, type PlacedFile } from './cache.js';
import { openScanDb } from './db.js';
import { applyFilters } from './filters.js';
import { buildReport, TOOL_VERSION } from './report.js';
import { SCANNERS, type ArtifactType, type ScanFilters, type ScannerName, type ScanProgress, type ScanReport } from './types.js';

export interface ScanOptions {
  /** Default: all (vuln, secret, misconfig). */
  scanners?: readonly ScannerName[];
  /** Cache directory for the vulnerability DB and the layer caches (default: PORTCULLIS_CACHE_DIR or ~/.cache/portcullis). */
  cacheDir?: string;
  /** An already open DB (the registry); else the cache directory's DB is opened read-only and closed afterwards. */
  db?: VulnDb;
  /** Layer-facts cache; default on disk in the cache directory; `false` disables it. */
  layerCache?: LayerCache | false;
  /** Final-filesystem cache (misconfiguration checks); default on disk in the cache directory; `false` disables it. */
  finalFsCache?: FinalFsCache | false;
  filters?: ScanFilters;
  onProgress?: (p: ScanProgress) => void;
  /** Clock for the report's createdAt and the age checks (fixed in golden tests). */
  now?: Date;
  analyzers?: readonly Analyzer[];
  artifactType?: ArtifactType;
  /** Name shown in reports (default: the source's ref). */
  artifactName?: string;
  misconfig?: MisconfigOptions;
  /** A parsed portcullis-secret.yaml. */
  secretConfig?: SecretConfig;
  /** Also match language packages installed by the OS package manager (default false, like Trivy). */
  includeOsOwned?: boolean;
  toolVersion?: string;
}

/** Config and history checks mean nothing for a directory (its config is synthetic). */
function imageOnly(f: MisconfigFinding): boolean {
  return f.location !== undefined && f.location.kind !== 'config' && f.location.kind !== 'history';
}

function placedFiles(vfs: VirtualFs): PlacedFile[] {
  const files: PlacedFile[] = [];
  for (const [path, node] of vfs.walk()) {
    const f: PlacedFile = { path, type: node.type, mode: node.mode, uid: node.uid, gid: node.gid, layerIndex: node.layerIndex };
    if (node.linkTarget !== undefined) f.linkTarget = node.linkTarget;
    files.push(f);
  }
  return files;
}

interface Analysed {
  inventory: ImageInventory;
  secrets: SecretFinding[];
  files?: PlacedFile[];
}

async function analyse(source: ImageSource, scanners: ReadonlySet<ScannerName>, opts: ScanOptions, cacheDir: string): Promise<Analysed> {
  const analyzers = opts.analyzers ?? ANALYZERS;
  const visitors: FileVisitor[] = scanners.has('secret') ? [createSecretVisitor(opts.secretConfig ? { config: opts.secretConfig } : {})] : [];
  const layerCache = opts.layerCache === false ? undefined : (opts.layerCache ?? new DiskLayerCache(layerCacheDir(cacheDir)));
  const fsCache = opts.finalFsCache === false || source.synthetic ? undefined : (opts.finalFsCache ?? new DiskFinalFsCache(finalFsCacheDir(cacheDir)));
  const needFiles = scanners.has('misconfig') || scanners.has('secret');
  const fsKey = finalFsKey(source);
  let files = needFiles && fsCache ? await fsCache.get(fsKey) : undefined;
  const useVfs = needFiles && !files;

  const analysis = await analyzeImage(source, {
    analyzers,
    visitors,
    ...(layerCache ? { cache: layerCache } : {}),
    vfs: useVfs,
    ...(opts.onProgress
      ? {
          onProgress: (p) =>
            opts.onProgress!({ phase: 'layers', layerIndex: p.layerIndex, layerCount: p.layerCount, bytes: p.bytes, size: p.size, ...(p.cached ? { cached: true } : {}) }),
        }
      : {}),
  });
  if (useVfs && analysis.vfs) {
    files = placedFiles(analysis.vfs);
    if (fsCache) await fsCache.set(fsKey, files);
    // The engine does not cache layers read for a filesystem view; store them so the next scan is fast.
    if (layerCache && !source.synthetic) {
      const ids = analyzerIds(analyzers, visitors);
      await Promise.all(analysis.layers.map((facts, i) => layerCache.set(layerCacheKey(source.layers[i]!.digest, ids), facts)));
    }
  }

  let secrets: SecretFinding[] = [];
  if (scanners.has('secret')) {
    opts.onProgress?.({ phase: 'secrets' });
    const layerOf = files ? new Map(files.filter((f) => f.type === 'file').map((f) => [f.path, f.layerIndex])) : undefined;
    secrets = placeLayerSecrets(analysis.layers, layerOf ? (p) => layerOf.get(p) : undefined);
    const scanner = opts.secretConfig ? scannerFromConfig(opts.secretConfig) : defaultSecretScanner();
    if (!source.synthetic) secrets.push(...scanImageConfigForSecrets(source.config, { scanner }));
  }
  return files ? { inventory: analysis.inventory, secrets, files } : { inventory: analysis.inventory, secrets };
}

/**
 * Scans one image: analysis of every layer (cached per layer digest and analyzer versions), secret
 * rules over every file of every layer and the config, misconfiguration checks over the config and
 * the final filesystem, and vulnerability matching. Free of CLI concerns: it never prints or exits.
 */
export async function scanImage(source: ImageSource, opts: ScanOptions = {}): Promise<ScanReport> {
  const scanners = new Set<ScannerName>(opts.scanners ?? SCANNERS);
  const cacheDir = resolveCacheDir(opts.cacheDir);
  // Open the DB first: a missing DB fails before any layer is read.
  const db = scanners.has('vuln') ? (opts.db ?? openScanDb(cacheDir)) : undefined;
  try {
    const { inventory, secrets, files } = await analyse(source, scanners, opts, cacheDir);
    const warnings: Warning[] = [...inventory.warnings];
    let misconfigurations: MisconfigFinding[] = [];
    if (scanners.has('misconfig') && files) {
      opts.onProgress?.({ phase: 'misconfig' });
      const input = { config: source.config, files, packages: inventory.packages, ...(inventory.os ? { os: inventory.os } : {}) };
      misconfigurations = runMisconfigChecks(input, { now: opts.now ?? new Date(), ...opts.misconfig });
      if (source.synthetic) misconfigurations = misconfigurations.filter(imageOnly);
    }
    let vulnerabilities: VulnFinding[] = [];
    if (db) {
      opts.onProgress?.({ phase: 'match' });
      vulnerabilities = matchInventory(db, inventory, {
        ...(opts.includeOsOwned !== undefined ? { includeOsOwned: opts.includeOsOwned } : {}),
        onWarning: (code, message) => warnings.push({ code, message }),
      });
    }
    const report = buildReport({
      artifact: {
        type: opts.artifactType ?? (source.synthetic ? 'rootfs' : 'container_image'),
        name: opts.artifactName ?? source.ref,
        ...(source.synthetic ? {} : { digest: source.manifestDigest, configDigest: source.configDigest }),
        ...(inventory.os ? { os: inventory.os } : {}),
        layers: source.synthetic ? [] : inventory.layers,
      },
      scanners: SCANNERS.filter((s) => scanners.has(s)),
      packages: inventory.packages,
      vulnerabilities,
      secrets,
      misconfigurations,
      warnings,
      now: opts.now ?? new Date(),
      toolVersion: opts.toolVersion ?? TOOL_VERSION,
    });
    opts.onProgress?.({ phase: 'done' });
    return opts.filters ? applyFilters(report, opts.filters) : report;
  } finally {
    if (db && !opts.db) db.close();
  }
}
