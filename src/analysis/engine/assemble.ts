import type { VirtualFs } from '../../image/layers/vfs.js';
import { isWithin } from '../../image/layers/path.js';
import { osEcosystem, distroQualifier } from '../analyzers/common/os.js';
import type { ImageInventory, LayerFacts, OsInfo, Package, PackageType, Warning } from '../types.js';

const OS_PACKAGE_TYPES = new Set<PackageType>(['dpkg', 'apk', 'rpm']);

export interface AssembleInput {
  digest?: string;
  layers: { digest: string; mediaType: string; size: number; facts: LayerFacts }[];
  /** The final filesystem, when built: lets ownership match through symlinked directories. */
  vfs?: VirtualFs;
}

/**
 * Merges per-layer facts in layer order into what counts in the final image: whiteouts and opaque
 * directories drop earlier facts, a layer that rewrites a package database supersedes what earlier
 * layers read at that path, and language packages installed by the OS package manager are marked.
 */
export function assembleInventory(input: AssembleInput): ImageInventory {
  const byPath = new Map<string, Package[]>();
  const owners = new Map<string, string>();
  const warnings: Warning[] = [];
  let os: OsInfo | undefined;
  for (const { facts } of input.layers) {
    for (const wh of facts.whiteouts) dropWithin(byPath, owners, wh, true);
    for (const dir of facts.opaqueDirs) dropWithin(byPath, owners, dir, false);
    const rewritten = new Set([...(facts.analyzedPaths ?? []), ...facts.packages.map((p) => p.path)]);
    for (const p of rewritten) byPath.delete(p);
    for (const pkg of facts.packages) {
      let list = byPath.get(pkg.path);
      if (!list) byPath.set(pkg.path, (list = []));
      list.push({ ...pkg, layerDigest: facts.layerDigest });
    }
    for (const [path, owner] of Object.entries(facts.fileOwners ?? {})) owners.set(path, owner);
    if (facts.os) os = facts.os;
    warnings.push(...facts.warnings);
  }
  let packages = [...byPath.values()].flat();
  if (os) packages = packages.map((p) => withOs(p, os));
  markOwned(packages, owners, input.vfs);
  packages.sort(comparePackages);
  const inventory: ImageInventory = {
    packages,
    layers: input.layers.map((l) => ({ digest: l.digest, mediaType: l.mediaType, size: l.size })),
    warnings,
  };
  if (input.digest) inventory.digest = input.digest;
  if (os) inventory.os = os;
  return inventory;
}

function dropWithin(byPath: Map<string, Package[]>, owners: Map<string, string>, dir: string, inclusive: boolean): void {
  const hit = (p: string) => (inclusive ? isWithin(p, dir) : p !== dir && isWithin(p, dir));
  for (const p of [...byPath.keys()]) if (hit(p)) byPath.delete(p);
  for (const p of [...owners.keys()]) if (hit(p)) owners.delete(p);
}

/**
 * OS packages read from a layer without os-release (a layer that only ran `apt-get install`) lack
 * the release; the final image's OS supplies it, since only the final package database counts.
 */
function withOs(pkg: Package, os: OsInfo): Package {
  if (!OS_PACKAGE_TYPES.has(pkg.type) || pkg.ecosystem.includes(':')) return pkg;
  const ecosystem = osEcosystem(os, pkg.ecosystem);
  const distro = distroQualifier(os);
  let purl = pkg.purl;
  if (distro && !/[?&]distro=/.test(purl)) purl = addQualifier(purl, 'distro', distro);
  return { ...pkg, ecosystem, purl };
}

function addQualifier(purl: string, key: string, value: string): string {
  const hash = purl.indexOf('#');
  const subpath = hash >= 0 ? purl.slice(hash) : '';
  const main = hash >= 0 ? purl.slice(0, hash) : purl;
  const q = main.indexOf('?');
  const base = q >= 0 ? main.slice(0, q) : main;
  const pairs = q >= 0 ? main.slice(q + 1).split('&').filter(Boolean) : [];
  pairs.push(`${key}=${encodeURIComponent(value)}`);
  pairs.sort((a, b) => {
    const ka = a.split('=')[0]!;
    const kb = b.split('=')[0]!;
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
  return `${base}?${pairs.join('&')}${subpath}`;
}

function markOwned(packages: Package[], owners: Map<string, string>, vfs: VirtualFs | undefined): void {
  const installed = new Set(packages.filter((p) => OS_PACKAGE_TYPES.has(p.type)).map((p) => p.name));
  let canonical: Map<string, string> | undefined;
  const resolve = (p: string): string | undefined => {
    try {
      return vfs?.resolve(p, false);
    } catch {
      return undefined;
    }
  };
  for (const pkg of packages) {
    if (OS_PACKAGE_TYPES.has(pkg.type) || pkg.ownedBy) continue;
    let owner = owners.get(pkg.path);
    if (owner === undefined && vfs) {
      // Package databases list paths as packaged (/lib/...), images may hold them behind a symlink (/usr/lib/...).
      canonical ??= new Map([...owners].map(([p, o]) => [resolve(p) ?? p, o]));
      owner = canonical.get(resolve(pkg.path) ?? pkg.path);
    }
    if (owner !== undefined && installed.has(owner)) pkg.ownedBy = owner;
  }
}

function comparePackages(a: Package, b: Package): number {
  return cmp(a.type, b.type) || cmp(a.name, b.name) || cmp(a.version, b.version) || cmp(a.path, b.path);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
