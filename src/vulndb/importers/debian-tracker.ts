import type { ImportItem, SourceInfo } from '../db/database.js';
import { parseSeverityWord } from '../severity.js';
import type { AdvisoryRecord, AffectedPackage, FixStatus } from '../types.js';
import { SCHEMES } from '../versions/index.js';

/**
 * Debian security tracker JSON (security-tracker.debian.org/tracker/data/json):
 * { SOURCE: { CVE: { description, releases: { CODENAME: { status, fixed_version, urgency, ... } } } } }.
 * Entries are keyed by SOURCE package; each CVE becomes one advisory in namespace "debian".
 */
export const DEBIAN_RELEASES: Readonly<Record<string, string>> = {
  wheezy: '7',
  jessie: '8',
  stretch: '9',
  buster: '10',
  bullseye: '11',
  bookworm: '12',
  trixie: '13',
  forky: '14',
  duke: '15',
  sid: 'sid',
};

export const DEBIAN_NAMESPACE = 'debian';

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** True when a parsed JSON document has the tracker's shape (checked on a few entries). */
export function looksLikeDebianTracker(doc: unknown): boolean {
  if (!isObj(doc)) return false;
  const pkgs = Object.values(doc).slice(0, 5);
  if (pkgs.length === 0) return false;
  return pkgs.every((p) => isObj(p) && Object.values(p).slice(0, 3).every((c) => isObj(c) && isObj(c.releases)));
}

type EntryResult = { ok: AffectedPackage } | { notAffected: true } | { error: string };

function entryFor(source: string, release: string, r: Record<string, unknown>): EntryResult {
  const status = r.status;
  const urgency = typeof r.urgency === 'string' ? r.urgency : undefined;
  const entry: AffectedPackage = { ecosystem: `Debian:${release}`, name: source, ranges: [], versions: [], release };
  const rating = parseSeverityWord(urgency);
  if (rating) entry.severity = rating;
  let fix: FixStatus;
  if (status === 'resolved') {
    const fixed = r.fixed_version;
    if (typeof fixed !== 'string' || fixed.length === 0) return { error: 'resolved without fixed_version' };
    // "0": the release never shipped a vulnerable version
    if (fixed === '0') return { notAffected: true };
    if (!SCHEMES.dpkg!.valid(fixed)) return { error: `invalid fixed_version ${JSON.stringify(fixed)}` };
    fix = 'fixed';
    entry.fixedVersion = fixed;
  } else if (status === 'open' || status === 'undetermined') {
    if (urgency === 'end-of-life') fix = 'end_of_life';
    else if (r.nodsa_reason === 'ignored') fix = 'will_not_fix';
    else fix = 'affected';
  } else {
    return { error: `unknown status ${JSON.stringify(status)}` };
  }
  entry.status = fix;
  return { ok: entry };
}

export function* debianTracker(doc: unknown, origin: string): Generator<ImportItem> {
  if (!isObj(doc)) {
    yield { type: 'warning', code: 'invalid-record', message: `${origin}: not a JSON object` };
    return;
  }
  const byId = new Map<string, AdvisoryRecord>();
  for (const [source, cves] of Object.entries(doc)) {
    if (!isObj(cves)) {
      yield { type: 'warning', code: 'invalid-record', message: `${source}: not an object` };
      continue;
    }
    for (const [id, raw] of Object.entries(cves)) {
      if (!isObj(raw) || !isObj(raw.releases)) {
        yield { type: 'warning', code: 'invalid-record', message: `${source}/${id}: no releases` };
        continue;
      }
      let record = byId.get(id);
      if (!record) {
        const description = typeof raw.description === 'string' ? raw.description : undefined;
        record = {
          namespace: DEBIAN_NAMESPACE,
          id,
          aliases: [],
          cvss: [],
          references: [`https://security-tracker.debian.org/tracker/${id}`],
          affected: [],
        };
        if (description) {
          record.summary = description.split('\n')[0]!.slice(0, 300);
          record.details = description;
        }
        byId.set(id, record);
      }
      for (const [codename, rel] of Object.entries(raw.releases)) {
        const release = DEBIAN_RELEASES[codename];
        if (!release) {
          yield { type: 'warning', code: 'unknown-release', message: `${source}/${id}: release ${codename}` };
          continue;
        }
        if (!isObj(rel)) {
          yield { type: 'warning', code: 'invalid-record', message: `${source}/${id}/${codename}: not an object` };
          continue;
        }
        const result = entryFor(source, release, rel);
        if ('notAffected' in result) continue;
        if ('error' in result) {
          yield { type: 'warning', code: 'invalid-range', message: `${source}/${id}/${codename}: ${result.error}` };
          continue;
        }
        record.affected.push(result.ok);
      }
    }
  }
  for (const record of byId.values()) yield { type: 'advisory', record };
}

export function debianTrackerSource(origin: string): SourceInfo {
  return { name: 'debian-tracker', kind: 'debian-tracker', origin, snapshotNamespaces: [DEBIAN_NAMESPACE] };
}
