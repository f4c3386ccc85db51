import { apk } from './apk.js';
import { composer } from './composer.js';
import { dpkg } from './dpkg.js';
import { maven } from './maven.js';
import { nuget } from './nuget.js';
import { pep440 } from './pep440.js';
import { rpm } from './rpm.js';
import { rubygems } from './rubygems.js';
import { cargo, golang, npm } from './semver.js';
import type { VersionScheme } from './types.js';

export type { VersionScheme } from './types.js';
export { InvalidVersionError } from './types.js';

/** Every version scheme, by name. */
export const SCHEMES: Readonly<Record<string, VersionScheme>> = {
  dpkg,
  apk,
  rpm,
  npm,
  pep440,
  maven,
  rubygems,
  go: golang,
  cargo,
  composer,
  nuget,
};

/** Scheme names used by other sources (the peer vectors say "deb"). */
const ALIASES: Record<string, string> = { deb: 'dpkg', debian: 'dpkg', semver: 'npm', pypi: 'pep440', gem: 'rubygems', golang: 'go' };

export function schemeByName(name: string): VersionScheme | undefined {
  const key = name.toLowerCase();
  return SCHEMES[key] ?? SCHEMES[ALIASES[key] ?? ''];
}

/** OSV ecosystem (the part before any ':' release suffix) -> the scheme its versions follow. */
const ECOSYSTEM_SCHEMES: Record<string, string> = {
  debian: 'dpkg',
  ubuntu: 'dpkg',
  alpine: 'apk',
  wolfi: 'apk',
  chainguard: 'apk',
  'red hat': 'rpm',
  redhat: 'rpm',
  rocky: 'rpm',
  almalinux: 'rpm',
  suse: 'rpm',
  opensuse: 'rpm',
  'suse linux enterprise': 'rpm',
  mageia: 'rpm',
  'amazon linux': 'rpm',
  npm: 'npm',
  pypi: 'pep440',
  maven: 'maven',
  rubygems: 'rubygems',
  go: 'go',
  'crates.io': 'cargo',
  packagist: 'composer',
  nuget: 'nuget',
};

/** The scheme for an OSV ecosystem name ("Debian:12", "PyPI", "crates.io"), or undefined when unknown. */
export function schemeForEcosystem(ecosystem: string): VersionScheme | undefined {
  const base = ecosystem.split(':')[0]!.trim().toLowerCase();
  const name = ECOSYSTEM_SCHEMES[base];
  return name === undefined ? undefined : SCHEMES[name];
}
