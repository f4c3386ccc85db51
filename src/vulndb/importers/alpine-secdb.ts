import type { ImportItem, SourceInfo } from '../db/database.js';
import type { AdvisoryRecord } from '../types.js';
import { SCHEMES } from '../versions/index.js';

/**
 * Alpine secdb (secdb.alpinelinux.org/<branch>/<repo>.json):
 * { distroversion: "v3.19", reponame: "main", packages: [{ pkg: { name, secfixes: { "1.2.3-r1": ["CVE-..."] } } }] }.
 * Package names are origin (source) packages; secfixes key "0" means "never affected".
 */
const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

export function looksLikeAlpineSecdb(doc: unknown): boolean {
  return isObj(doc) && typeof doc.distroversion === 'string' && Array.isArray(doc.packages);
}

export function alpineNamespace(doc: { distroversion: string; reponame?: unknown }): string {
  return `alpine:${doc.distroversion}/${typeof doc.reponame === 'string' ? doc.reponame : 'main'}`;
}

export function* alpineSecdb(doc: unknown, origin: string): Generator<ImportItem> {
  if (!looksLikeAlpineSecdb(doc) || !isObj(doc)) {
    yield { type: 'warning', code: 'invalid-record', message: `${origin}: not an Alpine secdb document` };
    return;
  }
  const distroversion = doc.distroversion as string;
  const namespace = alpineNamespace({ distroversion, reponame: doc.reponame });
  const ecosystem = `Alpine:${distroversion}`;
  const byId = new Map<string, AdvisoryRecord>();
  for (const p of doc.packages as unknown[]) {
    const pkg = isObj(p) && isObj(p.pkg) ? p.pkg : undefined;
    if (!pkg || typeof pkg.name !== 'string' || !isObj(pkg.secfixes)) {
      yield { type: 'warning', code: 'invalid-record', message: `${origin}: package entry without name/secfixes` };
      continue;
    }
    for (const [version, ids] of Object.entries(pkg.secfixes)) {
      if (version === '0') continue;
      if (!SCHEMES.apk!.valid(version)) {
        yield { type: 'warning', code: 'invalid-range', message: `${pkg.name}: invalid version ${JSON.stringify(version)}` };
        continue;
      }
      for (const raw of Array.isArray(ids) ? ids : []) {
        // entries look like "CVE-2023-1234" or "CVE-2023-1234 XSA-123"
        const tokens = typeof raw === 'string' ? raw.split(/\s+/).filter((t) => t.length > 0) : [];
        const id = tokens[0];
        if (!id) continue;
        let record = byId.get(id);
        if (!record) {
          record = { namespace, id, aliases: tokens.slice(1), cvss: [], references: [], affected: [] };
          byId.set(id, record);
        }
        record.affected.push({ ecosystem, name: pkg.name, ranges: [], versions: [], release: distroversion, status: 'fixed', fixedVersion: version });
      }
    }
  }
  for (const record of byId.values()) yield { type: 'advisory', record };
}

export function alpineSecdbSource(doc: { distroversion: string; reponame?: unknown }, origin: string): SourceInfo {
  const ns = alpineNamespace(doc);
  return { name: `alpine-secdb:${ns.slice('alpine:'.length)}`, kind: 'alpine-secdb', origin, snapshotNamespaces: [ns] };
}
