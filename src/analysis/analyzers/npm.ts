import type { Analyzer, AnalyzerInput, AnalyzerOutput, FileMeta } from '../analyzer.js';
import type { Package, Warning } from '../types.js';
import { langPackage, licenseList, npmPurl } from './common/lang.js';
import { basename, isRecord, parseJson, utf8, warning } from './common/text.js';

/**
 * Installed npm packages: every package.json with a string name and version (node_modules or
 * not: an application's own manifest and Debian's /usr/share/nodejs modules count too).
 */
export const npmAnalyzer: Analyzer = {
  name: 'npm',
  version: 1,
  maxFileSize: 4 * 1024 * 1024,
  wants(meta: FileMeta): boolean {
    return basename(meta.path) === 'package.json';
  },
  analyze(input: AnalyzerInput): AnalyzerOutput {
    const packages: Package[] = [];
    const warnings: Warning[] = [];
    for (const f of input.files) {
      const doc = parseJson(utf8(f.content));
      if (doc === undefined) {
        warnings.push(warning('npm-bad-json', `${f.meta.path}: not valid JSON`, f.meta.path));
        continue;
      }
      if (!isRecord(doc) || typeof doc.name !== 'string' || typeof doc.version !== 'string') continue;
      if (doc.name === '' || doc.version === '') continue;
      const licenses = licenseList(doc.license ?? doc.licenses);
      packages.push(langPackage('npm', 'npm', doc.name, doc.version, npmPurl(doc.name, doc.version), f.meta.path, licenses));
    }
    return warnings.length > 0 ? { packages, warnings } : { packages };
  },
};
