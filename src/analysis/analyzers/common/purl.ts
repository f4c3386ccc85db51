/**
 * Package URL builder (https://github.com/package-url/purl-spec). Hand-written because the spec
 * rules we need are small and the reference library is only a transitive dependency here.
 */

/** Percent-encodes a purl component; ':' stays readable (the spec allows it outside the scheme). */
export function encodeComponent(s: string): string {
  return encodeURIComponent(s).replace(/%3A/gi, ':');
}

export interface PurlParts {
  type: string;
  namespace?: string;
  name: string;
  version?: string;
  qualifiers?: Record<string, string | undefined>;
  subpath?: string;
}

export function purl(p: PurlParts): string {
  let out = `pkg:${p.type.toLowerCase()}/`;
  if (p.namespace) {
    out += p.namespace
      .split('/')
      .filter((s) => s.length > 0)
      .map(encodeComponent)
      .join('/');
    out += '/';
  }
  out += encodeComponent(p.name);
  if (p.version !== undefined && p.version !== '') out += `@${encodeComponent(p.version)}`;
  const q = Object.entries(p.qualifiers ?? {})
    .filter((e): e is [string, string] => e[1] !== undefined && e[1] !== '')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k.toLowerCase()}=${encodeComponent(v)}`);
  if (q.length > 0) out += `?${q.join('&')}`;
  if (p.subpath) out += `#${p.subpath.split('/').filter((s) => s && s !== '.' && s !== '..').map(encodeComponent).join('/')}`;
  return out;
}
