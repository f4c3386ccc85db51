import type { OsInfo, Package } from '../../types.js';
import { distroQualifier, osEcosystem } from './os.js';
import { purl } from './purl.js';

const RPM_NAMESPACE: Record<string, string> = {
  rhel: 'redhat',
  alma: 'almalinux',
  sles: 'suse',
  opensuse: 'opensuse',
};

const FALLBACK_ECOSYSTEM: Record<string, string> = { dpkg: 'Debian', apk: 'Alpine', rpm: 'RPM' };

/**
 * The purl of an OS package (dpkg, apk, rpm) for the given OS: vendor namespace, arch, distro,
 * and for rpm the epoch as a qualifier (the purl version is version-release).
 * `fallbackNamespace` is used for rpm when the OS is unknown (the header's vendor).
 */
export function osPackagePurl(
  pkg: Pick<Package, 'type' | 'name' | 'version' | 'arch'>,
  os: OsInfo | undefined,
  fallbackNamespace?: string,
): string {
  const qualifiers: Record<string, string | undefined> = { arch: pkg.arch, distro: distroQualifier(os) };
  switch (pkg.type) {
    case 'dpkg':
      return purl({ type: 'deb', namespace: os?.family === 'ubuntu' ? 'ubuntu' : 'debian', name: pkg.name, version: pkg.version, qualifiers });
    case 'apk': {
      const ns = os?.family === 'wolfi' || os?.family === 'chainguard' ? os.family : 'alpine';
      return purl({ type: 'apk', namespace: ns, name: pkg.name, version: pkg.version, qualifiers });
    }
    case 'rpm': {
      const m = /^(\d+):(.*)$/.exec(pkg.version);
      if (m?.[1] && m[1] !== '0') qualifiers.epoch = m[1];
      const ns = os ? (RPM_NAMESPACE[os.family] ?? os.family) : (fallbackNamespace ?? 'rpm');
      return purl({ type: 'rpm', namespace: ns, name: pkg.name, version: m?.[2] ?? pkg.version, qualifiers });
    }
    default:
      throw new Error(`${pkg.type} is not an OS package type`);
  }
}

/**
 * An OS package re-keyed to the image's OS: ecosystem and purl. For the engine's assembly, when
 * the OS became known only from another layer than the package database's. Language packages
 * and packages without an OS to apply are returned unchanged.
 */
export function withOs(pkg: Package, os: OsInfo | undefined): Package {
  const fallback = FALLBACK_ECOSYSTEM[pkg.type];
  if (!os || fallback === undefined) return pkg;
  const ecosystem = osEcosystem(os, fallback);
  const p = osPackagePurl(pkg, os);
  return ecosystem === pkg.ecosystem && p === pkg.purl ? pkg : { ...pkg, ecosystem, purl: p };
}
