import type { Package, PackageType } from '../../types.js';
import { purl } from './purl.js';

/** npm names: "@scope/name" becomes namespace "@scope" and name "name" in the purl. */
export function npmPurl(name: string, version: string): string {
  const slash = name.startsWith('@') ? name.indexOf('/') : -1;
  return slash > 0
    ? purl({ type: 'npm', namespace: name.slice(0, slash), name: name.slice(slash + 1), version })
    : purl({ type: 'npm', name, version });
}

/** PEP 503 normalisation, which the purl spec prescribes for pypi names. */
export function pep503(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

export function pypiPurl(name: string, version: string): string {
  return purl({ type: 'pypi', name: pep503(name), version });
}

export function langPackage(
  type: PackageType,
  ecosystem: string,
  name: string,
  version: string,
  purlText: string,
  path: string,
  licenses?: string[],
): Package {
  const p: Package = { type, ecosystem, name, version, purl: purlText, path };
  if (licenses && licenses.length > 0) p.licenses = licenses;
  return p;
}

/** npm/composer-style license fields: "MIT", {type:"MIT"}, ["MIT", {type:"ISC"}]. */
export function licenseList(v: unknown): string[] {
  const one = (x: unknown): string | undefined => {
    if (typeof x === 'string') return x.trim() || undefined;
    if (typeof x === 'object' && x !== null && 'type' in x) {
      const t = x.type;
      return typeof t === 'string' ? t.trim() || undefined : undefined;
    }
    return undefined;
  };
  const arr = Array.isArray(v) ? v : v === undefined ? [] : [v];
  return arr.map(one).filter((s): s is string => s !== undefined);
}
