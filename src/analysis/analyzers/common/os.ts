import type { OsInfo } from '../../types.js';

/**
 * OSV ecosystem name for OS packages. Debian/Ubuntu/Alpine/Rocky/AlmaLinux/openSUSE/SUSE follow
 * OSV's published ecosystem names; Amazon Linux, Fedora, CentOS and Oracle have no OSV ecosystem,
 * so they get the same "Name:release" shape. Red Hat is plain "Red Hat" (OSV qualifies it per
 * product stream, which the rpm database does not tell us).
 */
export function osEcosystem(os: OsInfo | undefined, fallback: string): string {
  if (!os) return fallback;
  const r = os.release;
  switch (os.family) {
    case 'debian':
      return r ? `Debian:${r}` : 'Debian';
    case 'ubuntu':
      return r ? `Ubuntu:${r}` : 'Ubuntu';
    case 'alpine':
      return r ? (r === 'edge' ? 'Alpine:edge' : `Alpine:v${r}`) : 'Alpine';
    case 'rhel':
      return 'Red Hat';
    case 'rocky':
      return r ? `Rocky Linux:${r}` : 'Rocky Linux';
    case 'alma':
      return r ? `AlmaLinux:${r}` : 'AlmaLinux';
    case 'opensuse':
      return r ? `openSUSE:Leap ${r}` : 'openSUSE';
    case 'sles': {
      // OSV names service packs: "15.5" is "SUSE:Linux Enterprise Server 15 SP5".
      const [major, sp] = r.split('.');
      if (!major) return 'SUSE';
      return sp && sp !== '0' ? `SUSE:Linux Enterprise Server ${major} SP${sp}` : `SUSE:Linux Enterprise Server ${major}`;
    }
    case 'amazon':
      return r ? `Amazon Linux:${r}` : 'Amazon Linux';
    case 'fedora':
      return r ? `Fedora:${r}` : 'Fedora';
    case 'centos':
      return r ? `CentOS:${r}` : 'CentOS';
    case 'oracle':
      return r ? `Oracle Linux:${r}` : 'Oracle Linux';
    case 'wolfi':
      return 'Wolfi';
    case 'chainguard':
      return 'Chainguard';
    case 'photon':
      return r ? `Photon OS:${r}` : 'Photon OS';
    case 'mariner':
      return r ? `Mariner:${r}` : 'Mariner';
    default:
      return fallback;
  }
}

/** The purl `distro` qualifier: "debian-12", "ubuntu-22.04", "alpine-3.19". */
export function distroQualifier(os: OsInfo | undefined): string | undefined {
  if (!os || !os.release) return undefined;
  return `${os.family}-${os.release}`;
}
