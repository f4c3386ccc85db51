import type { Descriptor } from '../manifest.js';
import { SourceError, type Platform } from './types.js';

export const DEFAULT_PLATFORM: Platform = { os: 'linux', architecture: 'amd64' };

export function parsePlatform(value: string | Platform | undefined): Platform {
  if (value === undefined) return DEFAULT_PLATFORM;
  if (typeof value !== 'string') return value;
  const [os, architecture, variant, ...rest] = value.split('/');
  if (!os || !architecture || rest.length > 0) throw new SourceError(`invalid platform "${value}" (want os/arch[/variant])`);
  return variant ? { os, architecture, variant } : { os, architecture };
}

export function formatPlatform(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

// arm64 images usually say variant v8 or nothing; treat those as the same.
function variantMatches(want: string | undefined, have: string | undefined, arch: string): boolean {
  if (!want) return true;
  if (want === have) return true;
  return arch === 'arm64' && (want === 'v8' || have === 'v8') && (!want || !have || want === have);
}

/** Picks the index entry for a platform; attestation manifests ("unknown/unknown") never match. */
export function selectPlatform(manifests: Descriptor[], want: Platform): Descriptor {
  const candidates = manifests.filter(
    (m) =>
      m.platform?.os === want.os &&
      m.platform.architecture === want.architecture &&
      variantMatches(want.variant, m.platform.variant, want.architecture),
  );
  const exact = candidates.find((m) => m.platform?.variant === want.variant);
  const pick = exact ?? candidates[0];
  if (!pick) {
    const have = manifests
      .map((m) => (m.platform ? formatPlatform({ os: m.platform.os, architecture: m.platform.architecture, variant: m.platform.variant }) : '?'))
      .join(', ');
    throw new SourceError(`no image for platform ${formatPlatform(want)} in the index (has: ${have || 'none'})`);
  }
  return pick;
}
