import { readFile } from 'node:fs/promises';
import type { OsInfo, Package } from '../analysis/types.js';
import { resolveCacheDir } from '../vulndb/db/paths.js';
import { matchInventory } from '../vulndb/match/index.js';
import { openScanDb } from './db.js';
import { applyFilters } from './filters.js';
import type { ScanOptions } from './image.js';
import { packageKind, parsePurl } from './purl.js';
import { buildReport, TOOL_VERSION } from './report.js';
import type { ScanReport } from './types.js';

export class SbomInputError extends Error {
  override name = 'SbomInputError';
}

/** Largest SBOM document read (bounded memory on hostile input). */
export const MAX_SBOM_BYTES = 256 * 1024 * 1024;

interface CdxComponent {
  type?: string;
  name?: string;
  version?: string;
  purl?: string;
  properties?: { name?: string; value?: string }[];
  components?: CdxComponent[];
}

interface SbomPackages {
  format: 'cyclonedx' | 'spdx';
  name?: string;
  os?: OsInfo;
  packages: Package[];
  skipped: number;
}

function fromPurl(purl: string, path: string, props: Record<string, string>): Package | undefined {
  const p = parsePurl(purl);
  if (!p?.version) return undefined;
  const kind = packageKind(p);
  if (!kind) return undefined;
  const pkg: Package = { type: kind.type, ecosystem: kind.ecosystem, name: kind.name, version: p.version, purl, path: props['portcullis:package:path'] ?? path };
  // Our own SBOMs carry the source package; purls from other tools may carry it as `upstream`.
  const sourceName = props['portcullis:package:source-name'] ?? p.qualifiers.upstream?.split('@')[0];
  const sourceVersion = props['portcullis:package:source-version'] ?? p.qualifiers.upstream?.split('@')[1];
  if (sourceName) pkg.sourceName = sourceName;
  if (sourceVersion) pkg.sourceVersion = sourceVersion;
  if (p.qualifiers.arch) pkg.arch = p.qualifiers.arch;
  const owned = props['portcullis:package:owned-by'];
  if (owned) pkg.ownedBy = owned;
  return pkg;
}

function propsOf(list: CdxComponent['properties']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of list ?? []) if (typeof p.name === 'string' && typeof p.value === 'string') out[p.name] = p.value;
  return out;
}

function cyclonedx(doc: { metadata?: { component?: CdxComponent }; components?: CdxComponent[] }, file: string): SbomPackages {
  const out: SbomPackages = { format: 'cyclonedx', packages: [], skipped: 0 };
  if (doc.metadata?.component?.name) out.name = doc.metadata.component.name;
  const walk = (list: CdxComponent[] | undefined, depth: number): void => {
    if (!Array.isArray(list) || depth > 32) return;
    for (const c of list) {
      if (c.type === 'operating-system' && c.name && c.version) {
        out.os = { family: c.name.toLowerCase(), name: c.name, release: c.version };
      } else if (typeof c.purl === 'string') {
        const pkg = fromPurl(c.purl, file, propsOf(c.properties));
        if (pkg) out.packages.push(pkg);
        else out.skipped++;
      }
      walk(c.components, depth + 1);
    }
  };
  walk(doc.components, 0);
  return out;
}

interface SpdxPackage {
  name?: string;
  versionInfo?: string;
  primaryPackagePurpose?: string;
  externalRefs?: { referenceType?: string; referenceLocator?: string }[];
}

function spdx(doc: { name?: string; packages?: SpdxPackage[] }, file: string): SbomPackages {
  const out: SbomPackages = { format: 'spdx', packages: [], skipped: 0 };
  if (doc.name) out.name = doc.name;
  for (const p of Array.isArray(doc.packages) ? doc.packages : []) {
    if (p.primaryPackagePurpose === 'OPERATING-SYSTEM' && p.name && p.versionInfo) {
      out.os = { family: p.name.toLowerCase(), name: p.name, release: p.versionInfo };
      continue;
    }
    const ref = (p.externalRefs ?? []).find((r) => r.referenceType === 'purl' && typeof r.referenceLocator === 'string');
    if (!ref) continue;
    const pkg = fromPurl(ref.referenceLocator!, file, {});
    if (pkg) out.packages.push(pkg);
    else out.skipped++;
  }
  return out;
}

/** The packages of a CycloneDX or SPDX JSON SBOM (purls of types the matcher knows). */
export function readSbomPackages(text: string, file: string): SbomPackages {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new SbomInputError(`${file}: not JSON (${(err as Error).message})`);
  }
  if (typeof doc !== 'object' || doc === null) throw new SbomInputError(`${file}: not an SBOM document`);
  const d = doc as Record<string, unknown>;
  if (d.bomFormat === 'CycloneDX') return cyclonedx(d, file);
  if (typeof d.spdxVersion === 'string') return spdx(d, file);
  throw new SbomInputError(`${file}: neither CycloneDX JSON (bomFormat) nor SPDX JSON (spdxVersion)`);
}

/** Vulnerabilities of the packages an SBOM lists (only the vuln scanner applies). */
export async function scanSbom(file: string, opts: ScanOptions = {}): Promise<ScanReport> {
  let text: string;
  try {
    const buf = await readFile(file);
    if (buf.length > MAX_SBOM_BYTES) throw new SbomInputError(`${file}: larger than ${MAX_SBOM_BYTES} bytes`);
    text = buf.toString('utf8');
  } catch (err) {
    if (err instanceof SbomInputError) throw err;
    throw new SbomInputError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const sbom = readSbomPackages(text, file);
  const wantVuln = (opts.scanners ?? ['vuln']).includes('vuln');
  const db = wantVuln ? (opts.db ?? openScanDb(resolveCacheDir(opts.cacheDir))) : undefined;
  try {
    const warnings = sbom.skipped > 0 ? [{ code: 'sbom-unknown-purl', message: `${sbom.skipped} components without a version or of an unknown purl type were skipped` }] : [];
    const inventory = { packages: sbom.packages, layers: [], warnings: [], ...(sbom.os ? { os: sbom.os } : {}) };
    const vulnerabilities = db ? matchInventory(db, inventory, { onWarning: (code, message) => warnings.push({ code, message }) }) : [];
    const report = buildReport({
      artifact: { type: 'sbom', name: opts.artifactName ?? file, layers: [], ...(sbom.os ? { os: sbom.os } : {}) },
      scanners: db ? ['vuln'] : [],
      packages: sbom.packages,
      vulnerabilities,
      secrets: [],
      misconfigurations: [],
      warnings,
      now: opts.now ?? new Date(),
      toolVersion: opts.toolVersion ?? TOOL_VERSION,
    });
    return opts.filters ? applyFilters(report, opts.filters) : report;
  } finally {
    if (db && !opts.db) db.close();
  }
}
