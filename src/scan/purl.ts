import type { PackageType } from '../analysis/types.js';

export interface ParsedPurl {
  type: string;
  namespace?: string;
  name: string;
  version?: string;
  qualifiers: Record<string, string>;
}

/** Parses a package URL (purl spec); undefined when it is not one. */
export function parsePurl(text: string): ParsedPurl | undefined {
  const m = /^pkg:([a-zA-Z][a-zA-Z0-9.+-]*)\/+([^?#]+)(?:\?([^#]*))?(?:#.*)?$/.exec(text);
  if (!m) return undefined;
  const [, type, rest, query] = m;
  let path = rest!;
  let version: string | undefined;
  const at = path.lastIndexOf('@');
  if (at > 0) {
    version = decodeURIComponent(path.slice(at + 1));
    path = path.slice(0, at);
  }
  const segments = path.split('/').filter((s) => s.length > 0).map((s) => decodeURIComponent(s));
  const name = segments.pop();
  if (!name) return undefined;
  const qualifiers: Record<string, string> = {};
  for (const kv of (query ?? '').split('&')) {
    const eq = kv.indexOf('=');
    if (eq > 0) qualifiers[kv.slice(0, eq).toLowerCase()] = decodeURIComponent(kv.slice(eq + 1));
  }
  const out: ParsedPurl = { type: type!.toLowerCase(), name, qualifiers };
  if (segments.length > 0) out.namespace = segments.join('/');
  if (version !== undefined) out.version = version;
  return out;
}

const LANG: Record<string, [PackageType, string]> = {
  npm: ['npm', 'npm'],
  pypi: ['python', 'PyPI'],
  golang: ['go', 'Go'],
  maven: ['java', 'Maven'],
  gem: ['gem', 'RubyGems'],
  cargo: ['cargo', 'crates.io'],
  composer: ['composer', 'Packagist'],
  nuget: ['nuget', 'NuGet'],
};

const DISTROS: Record<string, string> = { debian: 'Debian', ubuntu: 'Ubuntu', alpine: 'Alpine' };

/** OSV ecosystem of an OS package from the purl `distro` qualifier ("debian-12", "alpine-3.19.1"). */
function osEcosystem(namespace: string | undefined, distro: string | undefined): string {
  const m = distro ? /^([a-z]+)-(.+)$/.exec(distro) : undefined;
  const family = m?.[1] ?? namespace ?? '';
  const label = DISTROS[family];
  if (!label) return '';
  const release = m?.[2];
  if (!release) return '';
  return family === 'alpine' ? `Alpine:v${release.split('.').slice(0, 2).join('.')}` : `${label}:${release}`;
}

/** Package type and ecosystem for a purl, or undefined for purl types the matcher does not know. */
export function packageKind(p: ParsedPurl): { type: PackageType; ecosystem: string; name: string } | undefined {
  if (p.type === 'deb' || p.type === 'apk' || p.type === 'rpm') {
    const type: PackageType = p.type === 'deb' ? 'dpkg' : p.type;
    return { type, ecosystem: osEcosystem(p.namespace, p.qualifiers.distro), name: p.name };
  }
  const lang = LANG[p.type];
  if (!lang) return undefined;
  // Namespaced ecosystems spell the package with its namespace: @scope/name, group:artifact, host/path.
  const ns = p.namespace;
  const name = !ns ? p.name : p.type === 'maven' ? `${ns}:${p.name}` : `${ns}/${p.name}`;
  return { type: lang[0], ecosystem: lang[1], name };
}
