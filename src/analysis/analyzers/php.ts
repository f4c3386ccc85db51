import type { Analyzer, AnalyzerInput, AnalyzerOutput, FileMeta } from '../analyzer.js';
import type { Package, Warning } from '../types.js';
import { langPackage, licenseList } from './common/lang.js';
import { purl } from './common/purl.js';
import { basename, isRecord, parseJson, str, utf8, warning } from './common/text.js';

/** composer package records: installed.json v1 (array), v2 ({packages}), composer.lock. */
export function composerRecords(doc: unknown): Record<string, unknown>[] {
  if (Array.isArray(doc)) return doc.filter(isRecord);
  if (!isRecord(doc)) throw new Error('not a JSON object or array');
  const out: Record<string, unknown>[] = [];
  for (const key of ['packages', 'packages-dev']) {
    const list = doc[key];
    if (Array.isArray(list)) out.push(...list.filter(isRecord));
  }
  return out;
}

function toPackages(doc: unknown, path: string): Package[] {
  const out: Package[] = [];
  for (const r of composerRecords(doc)) {
    const name = str(r.name);
    const version = str(r.version);
    if (!name || !version) continue;
    const slash = name.indexOf('/');
    const u =
      slash > 0
        ? purl({ type: 'composer', namespace: name.slice(0, slash), name: name.slice(slash + 1), version })
        : purl({ type: 'composer', name, version });
    out.push(langPackage('composer', 'Packagist', name, version, u, path, licenseList(r.license)));
  }
  return out;
}

function composerAnalyzer(name: string, match: (p: string) => boolean): Analyzer {
  return {
    name,
    version: 1,
    maxFileSize: 32 * 1024 * 1024,
    wants: (meta: FileMeta) => match(meta.path),
    analyze(input: AnalyzerInput): AnalyzerOutput {
      const packages: Package[] = [];
      const warnings: Warning[] = [];
      for (const f of input.files) {
        try {
          const doc = parseJson(utf8(f.content));
          if (doc === undefined) throw new Error('not valid JSON');
          packages.push(...toPackages(doc, f.meta.path));
        } catch (err) {
          warnings.push(warning(name, `${f.meta.path}: ${err instanceof Error ? err.message : String(err)}`, f.meta.path));
        }
      }
      return warnings.length > 0 ? { packages, warnings } : { packages };
    },
  };
}

/** Installed PHP packages: vendor/composer/installed.json. */
export const composerInstalledAnalyzer = composerAnalyzer('composer-installed', (p) =>
  p.endsWith('/vendor/composer/installed.json'),
);
/** composer.lock (source-tree scans). */
export const composerLockAnalyzer = composerAnalyzer('composer-lock', (p) => basename(p) === 'composer.lock');
