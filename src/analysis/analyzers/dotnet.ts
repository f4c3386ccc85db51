import type { Analyzer, AnalyzerInput, AnalyzerOutput, FileMeta } from '../analyzer.js';
import type { Package, Warning } from '../types.js';
import { langPackage } from './common/lang.js';
import { purl } from './common/purl.js';
import { isRecord, parseJson, utf8, warning } from './common/text.js';

/** .NET applications: *.deps.json `libraries` of type "package" ("Name/Version" keys). */
export const dotnetDepsAnalyzer: Analyzer = {
  name: 'dotnet-deps',
  version: 1,
  maxFileSize: 16 * 1024 * 1024,
  wants(meta: FileMeta): boolean {
    return meta.path.endsWith('.deps.json');
  },
  analyze(input: AnalyzerInput): AnalyzerOutput {
    const packages: Package[] = [];
    const warnings: Warning[] = [];
    for (const f of input.files) {
      const doc = parseJson(utf8(f.content));
      if (!isRecord(doc) || !isRecord(doc.libraries)) {
        warnings.push(warning('dotnet-deps', `${f.meta.path}: no "libraries" object`, f.meta.path));
        continue;
      }
      for (const [key, lib] of Object.entries(doc.libraries)) {
        if (!isRecord(lib) || lib.type !== 'package') continue;
        const slash = key.lastIndexOf('/');
        if (slash <= 0) continue;
        const name = key.slice(0, slash);
        const version = key.slice(slash + 1);
        packages.push(langPackage('nuget', 'NuGet', name, version, purl({ type: 'nuget', name, version }), f.meta.path));
      }
    }
    return warnings.length > 0 ? { packages, warnings } : { packages };
  },
};
