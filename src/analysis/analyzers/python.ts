import type { Analyzer, AnalyzerInput, AnalyzerOutput, FileMeta } from '../analyzer.js';
import type { Package, Warning } from '../types.js';
import { langPackage, pypiPurl } from './common/lang.js';
import { dirname, utf8, warning } from './common/text.js';

/** Core metadata headers (RFC 822 style, up to the first blank line); repeated keys collected. */
export function parseMetadataHeaders(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let last: string[] | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (line === '') break;
    if ((line.startsWith(' ') || line.startsWith('\t')) && last && last.length > 0) {
      last[last.length - 1] += `\n${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    const list = out.get(key) ?? [];
    list.push(line.slice(colon + 1).trim());
    out.set(key, list);
    last = list;
  }
  return out;
}

function licenses(h: Map<string, string[]>): string[] {
  const expr = h.get('license-expression')?.[0];
  if (expr) return [expr];
  const fromClassifiers = (h.get('classifier') ?? [])
    .filter((c) => c.startsWith('License ::'))
    .map((c) => c.split('::').pop()?.trim() ?? '')
    .filter((c) => c !== '' && c !== 'OSI Approved');
  if (fromClassifiers.length > 0) return fromClassifiers;
  // Some projects paste the whole license text into License; only a short one is a name.
  const lic = h.get('license')?.[0];
  return lic && lic !== 'UNKNOWN' && !lic.includes('\n') && lic.length <= 80 ? [lic] : [];
}

/** The metadata directory (or the egg-info file itself) is the package's path, as pip shows it. */
function packagePath(path: string): string {
  return path.endsWith('.egg-info') ? path : dirname(path);
}

/** Installed Python distributions: *.dist-info/METADATA, *.egg-info/PKG-INFO, *.egg-info files. */
export const pythonAnalyzer: Analyzer = {
  name: 'python',
  version: 1,
  maxFileSize: 2 * 1024 * 1024,
  wants(meta: FileMeta): boolean {
    const p = meta.path;
    return p.endsWith('.dist-info/METADATA') || p.endsWith('.egg-info/PKG-INFO') || p.endsWith('.egg-info');
  },
  analyze(input: AnalyzerInput): AnalyzerOutput {
    const packages: Package[] = [];
    const warnings: Warning[] = [];
    for (const f of input.files) {
      const h = parseMetadataHeaders(utf8(f.content));
      const name = h.get('name')?.[0];
      const version = h.get('version')?.[0];
      if (!name || !version) {
        warnings.push(warning('python-bad-metadata', `${f.meta.path}: no Name/Version`, f.meta.path));
        continue;
      }
      packages.push(
        langPackage('python', 'PyPI', name, version, pypiPurl(name, version), packagePath(f.meta.path), licenses(h)),
      );
    }
    return warnings.length > 0 ? { packages, warnings } : { packages };
  },
};
