import type { AffectedPackage, AffectedRange, FixStatus } from '../types.js';
import type { VersionScheme } from '../versions/index.js';

export interface Verdict {
  status: FixStatus;
  fixedVersion?: string;
}

function eventVersion(e: AffectedRange['events'][number]): string {
  return e.introduced ?? e.fixed ?? e.last_affected ?? e.limit ?? '';
}

/** OSV's evaluation of one range: walk the sorted events, flipping "affected" on introduced and off on fixed/last_affected. */
export function rangeAffects(scheme: VersionScheme, version: string, range: AffectedRange): { hit: boolean; fixed?: string } {
  const cmp = (a: string, b: string): number => (a === '0' ? (b === '0' ? 0 : -1) : b === '0' ? 1 : scheme.compare(a, b));
  const events = range.events.filter((e) => e.limit === undefined).sort((a, b) => cmp(eventVersion(a), eventVersion(b)));
  let hit = false;
  for (const e of events) {
    if (e.introduced !== undefined && cmp(version, e.introduced) >= 0) hit = true;
    else if (e.fixed !== undefined && cmp(version, e.fixed) >= 0) hit = false;
    else if (e.last_affected !== undefined && cmp(version, e.last_affected) > 0) hit = false;
  }
  if (!hit) return { hit };
  // the fix for this version is the first fixed event above it
  const fixed = events.find((e) => e.fixed !== undefined && cmp(version, e.fixed) < 0)?.fixed;
  return fixed === undefined ? { hit } : { hit, fixed };
}

/**
 * Whether `version` is affected by one affected entry; undefined when not.
 * Distribution entries carry a verdict (fixed in X / open / won't fix); OSV entries carry ranges and versions.
 * Throws InvalidVersionError when the installed version cannot be ordered by the scheme.
 */
export function evaluate(scheme: VersionScheme, version: string, affected: AffectedPackage): Verdict | undefined {
  if (affected.status !== undefined) {
    if (affected.status === 'fixed') {
      if (affected.fixedVersion === undefined) return undefined;
      return scheme.compare(version, affected.fixedVersion) < 0 ? { status: 'fixed', fixedVersion: affected.fixedVersion } : undefined;
    }
    return { status: affected.status };
  }
  let hit = false;
  let fixed: string | undefined;
  for (const range of affected.ranges) {
    const r = rangeAffects(scheme, version, range);
    if (r.hit) {
      hit = true;
      if (r.fixed !== undefined && (fixed === undefined || scheme.compare(r.fixed, fixed) < 0)) fixed = r.fixed;
    }
  }
  if (!hit) hit = affected.versions.some((v) => v === version || (scheme.valid(v) && scheme.compare(v, version) === 0));
  if (!hit) return undefined;
  if (fixed === undefined) {
    // listed explicitly: still name the fix a range gives for versions above this one
    for (const range of affected.ranges) {
      const f = range.events.find((e) => e.fixed !== undefined && scheme.compare(version, e.fixed) < 0)?.fixed;
      if (f !== undefined && (fixed === undefined || scheme.compare(f, fixed) < 0)) fixed = f;
    }
  }
  return fixed === undefined ? { status: 'affected' } : { status: 'fixed', fixedVersion: fixed };
}
