/** The /v2 routes, recognised from the path (repository names contain slashes). */
export type V2Route =
  | { kind: 'base' }
  | { kind: 'catalog' }
  | { kind: 'tags'; name: string }
  | { kind: 'manifest'; name: string; reference: string }
  | { kind: 'uploads'; name: string }
  | { kind: 'upload'; name: string; id: string }
  | { kind: 'blob'; name: string; digest: string }
  | { kind: 'referrers'; name: string; digest: string };

const PATTERNS: [RegExp, (m: RegExpExecArray) => V2Route][] = [
  [/^(.+)\/tags\/list$/, (m) => ({ kind: 'tags', name: m[1]! })],
  [/^(.+)\/manifests\/([^/]+)$/, (m) => ({ kind: 'manifest', name: m[1]!, reference: m[2]! })],
  [/^(.+)\/blobs\/uploads\/?$/, (m) => ({ kind: 'uploads', name: m[1]! })],
  [/^(.+)\/blobs\/uploads\/([^/]+)$/, (m) => ({ kind: 'upload', name: m[1]!, id: m[2]! })],
  [/^(.+)\/blobs\/([^/]+)$/, (m) => ({ kind: 'blob', name: m[1]!, digest: m[2]! })],
  [/^(.+)\/referrers\/([^/]+)$/, (m) => ({ kind: 'referrers', name: m[1]!, digest: m[2]! })],
];

/** Parses the path below /v2/ (without query string); undefined for paths that are not API routes. */
export function parseV2Path(path: string): V2Route | undefined {
  let rest: string;
  try {
    rest = decodeURIComponent(path);
  } catch {
    return undefined;
  }
  if (rest === '/v2' || rest === '/v2/') return { kind: 'base' };
  if (!rest.startsWith('/v2/')) return undefined;
  rest = rest.slice(4);
  if (rest === '_catalog') return { kind: 'catalog' };
  for (const [re, build] of PATTERNS) {
    const m = re.exec(rest);
    if (m) return build(m);
  }
  return undefined;
}

export function repositoryOf(route: V2Route): string | undefined {
  return 'name' in route ? route.name : undefined;
}
