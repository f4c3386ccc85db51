import { cvssFromVector } from '../cvss/index.js';
import { parseSeverityWord } from '../severity.js';
import type { AdvisoryRecord, AffectedPackage, AffectedRange, CvssScore, RangeEvent } from '../types.js';
import { schemeForEcosystem } from '../versions/index.js';

/** Warnings an importer reports; the import goes on without the offending part. */
export type Warn = (code: string, message: string) => void;

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const str = (x: unknown): string | undefined => (typeof x === 'string' && x.length > 0 ? x : undefined);
const strings = (x: unknown): string[] => (Array.isArray(x) ? x.filter((s): s is string => typeof s === 'string') : []);

const EVENT_KEYS = ['introduced', 'fixed', 'last_affected', 'limit'] as const;

function parseRange(raw: unknown, ecosystem: string, id: string, warn: Warn): AffectedRange | undefined {
  if (!isObj(raw) || typeof raw.type !== 'string' || !Array.isArray(raw.events)) {
    warn('invalid-range', `${id}: malformed range in ${ecosystem}`);
    return undefined;
  }
  // commit ranges cannot be evaluated against an installed package version
  if (raw.type === 'GIT') return undefined;
  if (raw.type !== 'SEMVER' && raw.type !== 'ECOSYSTEM') {
    warn('invalid-range', `${id}: unknown range type ${raw.type}`);
    return undefined;
  }
  const scheme = schemeForEcosystem(ecosystem);
  const events: RangeEvent[] = [];
  for (const ev of raw.events) {
    const keys = isObj(ev) ? Object.keys(ev).filter((k) => (EVENT_KEYS as readonly string[]).includes(k)) : [];
    const key = keys[0] as (typeof EVENT_KEYS)[number] | undefined;
    const value = isObj(ev) && key ? ev[key] : undefined;
    if (keys.length !== 1 || key === undefined || typeof value !== 'string' || value.length === 0) {
      warn('invalid-range', `${id}: malformed event ${JSON.stringify(ev)} in ${ecosystem}`);
      return undefined;
    }
    const zero = key === 'introduced' && value === '0';
    if (!zero && scheme && !scheme.valid(value)) {
      warn('invalid-range', `${id}: ${key} ${JSON.stringify(value)} is not a valid ${scheme.name} version (${ecosystem})`);
      return undefined;
    }
    events.push({ [key]: value });
  }
  if (!events.some((e) => e.introduced !== undefined)) {
    warn('invalid-range', `${id}: range without an introduced event in ${ecosystem}`);
    return undefined;
  }
  return { type: raw.type, events };
}

function parseSeverity(raw: unknown, source: string): { cvss: CvssScore[]; rating?: string } {
  const cvss: CvssScore[] = [];
  let rating: string | undefined;
  for (const s of Array.isArray(raw) ? raw : []) {
    if (!isObj(s) || typeof s.score !== 'string') continue;
    if (typeof s.type === 'string' && s.type.startsWith('CVSS_')) cvss.push(cvssFromVector(s.score, source));
    else rating ??= s.score;
  }
  return rating === undefined ? { cvss } : { cvss, rating };
}

/** Turns one OSV JSON document into an AdvisoryRecord; undefined (with a warning) when unusable. */
export function parseOsvRecord(doc: unknown, origin: string, warn: Warn): AdvisoryRecord | undefined {
  if (!isObj(doc)) {
    warn('invalid-record', `${origin}: not a JSON object`);
    return undefined;
  }
  const id = str(doc.id);
  const modified = str(doc.modified);
  if (!id || !modified) {
    warn('invalid-record', `${origin}: missing ${id ? 'modified' : 'id'}`);
    return undefined;
  }
  const severity = parseSeverity(doc.severity, 'osv');
  const affected: AffectedPackage[] = [];
  for (const a of Array.isArray(doc.affected) ? doc.affected : []) {
    if (!isObj(a) || !isObj(a.package) || typeof a.package.ecosystem !== 'string' || typeof a.package.name !== 'string') {
      warn('invalid-record', `${id}: affected entry without package ecosystem/name`);
      continue;
    }
    const ecosystem = a.package.ecosystem;
    if (!schemeForEcosystem(ecosystem)) {
      warn('unknown-ecosystem', `${id}: ecosystem ${JSON.stringify(ecosystem)} has no version scheme`);
      continue;
    }
    const ranges = (Array.isArray(a.ranges) ? a.ranges : [])
      .map((r) => parseRange(r, ecosystem, id, warn))
      .filter((r): r is AffectedRange => r !== undefined);
    const entry: AffectedPackage = { ecosystem, name: a.package.name, ranges, versions: strings(a.versions) };
    const colon = ecosystem.indexOf(':');
    if (colon > 0) entry.release = ecosystem.slice(colon + 1);
    // Ubuntu and others rate per package ({type: "Ubuntu", score: "medium"})
    const pkgSeverity = parseSeverity(a.severity, 'osv');
    const word = parseSeverityWord(pkgSeverity.rating);
    if (word) entry.severity = word;
    severity.cvss.push(...pkgSeverity.cvss.filter((c) => !severity.cvss.some((x) => x.vector === c.vector)));
    if (entry.ranges.length === 0 && entry.versions.length === 0) continue;
    affected.push(entry);
  }
  const dbs = isObj(doc.database_specific) ? doc.database_specific : {};
  const record: AdvisoryRecord = {
    namespace: 'osv',
    id,
    aliases: [...new Set(strings(doc.aliases))].sort(),
    cvss: severity.cvss,
    modified,
    references: (Array.isArray(doc.references) ? doc.references : []).flatMap((r) => (isObj(r) && typeof r.url === 'string' ? [r.url] : [])),
    affected,
  };
  const summary = str(doc.summary);
  const details = str(doc.details);
  if (summary) record.summary = summary;
  if (details) record.details = details;
  const published = str(doc.published);
  if (published) record.published = published;
  const withdrawn = str(doc.withdrawn);
  if (withdrawn) record.withdrawn = withdrawn;
  const rating = parseSeverityWord(typeof dbs.severity === 'string' ? dbs.severity : undefined);
  if (rating) record.severity = rating;
  return record;
}
