import type { AnalyzerInput } from '../../analyzer.js';
import type { OsInfo } from '../../types.js';

/** Builds an analyzer input from path -> content (tests only). */
export function input(files: Record<string, string | Buffer>, os?: OsInfo): AnalyzerInput {
  return {
    files: Object.entries(files).map(([path, c]) => {
      const content = typeof c === 'string' ? Buffer.from(c) : c;
      return { meta: { path, size: content.length, mode: 0o100644 }, content };
    }),
    ...(os ? { os } : {}),
  };
}

export const DEBIAN_12: OsInfo = { family: 'debian', name: 'Debian GNU/Linux', release: '12', codename: 'bookworm' };
