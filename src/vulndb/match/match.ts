import type { ImageInventory, Package } from '../../analysis/types.js';
import { severityFromCvss } from '../cvss/index.js';
import type { Candidate, VulnDb } from '../db/database.js';
import type { CvssScore, VulnFinding } from '../types.js';
import { schemeForEcosystem } from '../versions/index.js';
import { evaluate } from './evaluate.js';
import { mergeAliases } from './merge.js';

export interface MatchOptions {
  /**
   * Also match language packages that the OS package manager installed (Package.ownedBy set).
   * Default false, as Trivy does: distributions patch them without changing the upstream version.
   */
  includeOsOwned?: boolean;
  onWarning?: (code: string, message: string) => void;
}

const OS_TYPES = new Set(['dpkg', 'apk', 'rpm']);

const FAMILY_ECOSYSTEMS: Record<string, string> = { debian: 'Debian', ubuntu: 'Ubuntu', alpine: 'Alpine' };

/** The ecosystem a package is matched in: its own, or for OS packages without one, the image's OS. */
function ecosystemOf(pkg: Package, inventory: ImageInventory): string | undefined {
  if (pkg.ecosystem) return pkg.ecosystem;
  const os = inventory.os;
  if (!OS_TYPES.has(pkg.type) || !os) return undefined;
  const family = FAMILY_ECOSYSTEMS[os.family];
  if (!family) return undefined;
  return `${family}:${os.family === 'alpine' && !os.release.startsWith('v') ? `v${os.release.split('.').slice(0, 2).join('.')}` : os.release}`;
}

function findingFor(pkg: Package, c: Candidate, verdict: ReturnType<typeof evaluate> & object, enrichment: CvssScore[]): VulnFinding {
  const cvss = [...c.cvss];
  for (const e of enrichment) if (!cvss.some((x) => x.vector === e.vector)) cvss.push(e);
  const severity = c.affected.severity ?? severityFromCvss(cvss) ?? c.advisorySeverity ?? 'UNKNOWN';
  const f: VulnFinding = {
    package: {
      name: pkg.name,
      version: pkg.version,
      type: pkg.type,
      path: pkg.path,
      purl: pkg.purl,
      ...(pkg.layerDigest !== undefined ? { layerDigest: pkg.layerDigest } : {}),
      ...(pkg.sourceName !== undefined ? { sourceName: pkg.sourceName } : {}),
      ...(pkg.sourceVersion !== undefined ? { sourceVersion: pkg.sourceVersion } : {}),
    },
    advisoryId: c.advisoryId,
    aliases: c.aliases.filter((a) => a !== c.advisoryId),
    severity,
    cvss,
    status: verdict.status,
    references: c.references,
    dataSource: { id: c.source, origin: c.namespace },
  };
  if (verdict.fixedVersion !== undefined) f.fixedVersion = verdict.fixedVersion;
  const title = c.summary ?? c.details?.split('\n')[0];
  if (title !== undefined) f.title = title;
  return f;
}

/** Every vulnerability of every package of the inventory, one finding per (package instance, vulnerability). */
export function matchInventory(db: VulnDb, inventory: ImageInventory, opts: MatchOptions = {}): VulnFinding[] {
  const warn = opts.onWarning ?? ((): void => undefined);
  const candidateCache = new Map<string, Candidate[]>();
  const enrichmentCache = new Map<string, CvssScore[]>();
  const out: VulnFinding[] = [];
  for (const pkg of inventory.packages) {
    const isOs = OS_TYPES.has(pkg.type);
    if (!isOs && pkg.ownedBy !== undefined && !opts.includeOsOwned) continue;
    const ecosystem = ecosystemOf(pkg, inventory);
    if (!ecosystem) continue;
    const scheme = schemeForEcosystem(ecosystem);
    if (!scheme) {
      warn('unknown-ecosystem', `${pkg.name}: no version scheme for ${ecosystem}`);
      continue;
    }
    // distribution feeds are keyed by source package and source version
    const name = isOs ? (pkg.sourceName ?? pkg.name) : pkg.name;
    const version = isOs ? (pkg.sourceVersion ?? pkg.version) : pkg.version;
    const key = `${ecosystem}\0${name}`;
    let candidates = candidateCache.get(key);
    if (!candidates) {
      candidates = db.candidates(ecosystem, name);
      candidateCache.set(key, candidates);
    }
    const found: VulnFinding[] = [];
    for (const c of candidates) {
      if (c.withdrawn !== undefined) continue;
      let verdict;
      try {
        verdict = evaluate(scheme, version, c.affected);
      } catch (err) {
        warn('version-compare', `${pkg.name}@${version} vs ${c.advisoryId}: ${(err as Error).message}`);
        continue;
      }
      if (!verdict) continue;
      const ids = [c.advisoryId, ...c.aliases];
      const ekey = ids.join('\0');
      let enrichment = enrichmentCache.get(ekey);
      if (!enrichment) {
        enrichment = db.enrichment(ids);
        enrichmentCache.set(ekey, enrichment);
      }
      found.push(findingFor(pkg, c, verdict, enrichment));
    }
    out.push(...mergeAliases(found));
  }
  return out.sort(
    (a, b) =>
      cmp(a.package.path, b.package.path) ||
      cmp(a.package.name, b.package.name) ||
      cmp(a.package.version, b.package.version) ||
      cmp(a.advisoryId, b.advisoryId),
  );
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
