/**
 * What the analysis engine says about an image. These shapes are the contract between
 * analysis (producer) and vulndb, secret/misconfiguration checks, policy and report (consumers).
 */

/** Package formats the analyzers know. */
export type PackageType =
  | 'dpkg'
  | 'apk'
  | 'rpm'
  | 'npm'
  | 'python'
  | 'go'
  | 'java'
  | 'gem'
  | 'cargo'
  | 'composer'
  | 'nuget';

export interface Package {
  type: PackageType;
  /** OSV ecosystem name ("Debian:12", "Alpine:v3.19", "npm", "PyPI", "Go", "Maven", ...). */
  ecosystem: string;
  name: string;
  version: string;
  /** Package URL (purl spec), e.g. pkg:deb/debian/libc6@2.36-9?arch=amd64&distro=debian-12. */
  purl: string;
  licenses?: string[];
  /** OS packages: the source package and its version (binary version when none is declared). */
  sourceName?: string;
  sourceVersion?: string;
  arch?: string;
  /** The file the package was read from (package database, manifest, binary). Absolute, virtual. */
  path: string;
  /** Digest of the layer that holds `path` in the assembled image. */
  layerDigest?: string;
  /** For language packages installed by the OS package manager: the owning OS package. */
  ownedBy?: string;
}

export interface OsInfo {
  /** debian, ubuntu, alpine, rhel, centos, rocky, alma, fedora, amazon, sles, opensuse, distroless, ... */
  family: string;
  name: string;
  /** Release as the vulnerability feeds key it ("12", "22.04", "3.19"). */
  release: string;
  codename?: string;
  prettyName?: string;
  /** End of life date (ISO 8601) when known. */
  eol?: string;
}

export interface Warning {
  code: string;
  message: string;
  path?: string;
  layerDigest?: string;
}

/** Facts of one layer, cached by (layer digest, analyzer versions). */
export interface LayerFacts {
  layerDigest: string;
  /** `name@version` of every analyzer that contributed, the cache key's second half. */
  analyzers: string[];
  packages: Package[];
  os?: OsInfo;
  /** Files that the OS package database of this layer assigns to packages: path -> package name. */
  fileOwners?: Record<string, string>;
  /** Paths this layer deletes (whiteouts), so assembly can drop earlier facts. */
  whiteouts: string[];
  opaqueDirs: string[];
  warnings: Warning[];
  /**
   * Paths of the files this layer handed to analyzers (package databases, manifests). A later
   * layer that rewrites one of them supersedes the packages earlier layers read from that path,
   * even when the new file yields none.
   */
  analyzedPaths?: string[];
  /** Per-layer results of file visitors (secret scanning), by visitor name; cached with the facts. */
  extra?: Record<string, unknown>;
}

/** The assembled image: what counts in the final filesystem. */
export interface ImageInventory {
  /** Manifest digest when known. */
  digest?: string;
  os?: OsInfo;
  packages: Package[];
  layers: { digest: string; mediaType: string; size: number }[];
  warnings: Warning[];
}
