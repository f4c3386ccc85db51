import type { Analyzer, AnalyzerInput, AnalyzerOutput, FileMeta } from '../analyzer.js';
import type { Package } from '../types.js';
import { langPackage } from './common/lang.js';
import { purl } from './common/purl.js';
import { basename, utf8 } from './common/text.js';
import { tomlPackageTables } from './common/toml-packages.js';

/** Cargo.lock `[[package]]` entries (the workspace's own crates included, as cargo lists them). */
export const cargoLockAnalyzer: Analyzer = {
  name: 'cargo-lock',
  version: 1,
  maxFileSize: 16 * 1024 * 1024,
  wants(meta: FileMeta): boolean {
    return basename(meta.path) === 'Cargo.lock';
  },
  analyze(input: AnalyzerInput): AnalyzerOutput {
    const packages: Package[] = [];
    for (const f of input.files) {
      for (const t of tomlPackageTables(utf8(f.content))) {
        const { name, version } = t;
        if (!name || !version) continue;
        packages.push(langPackage('cargo', 'crates.io', name, version, purl({ type: 'cargo', name, version }), f.meta.path));
      }
    }
    return { packages };
  },
};
