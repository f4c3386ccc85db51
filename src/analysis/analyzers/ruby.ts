import type { Analyzer, AnalyzerInput, AnalyzerOutput, FileMeta } from '../analyzer.js';
import type { Package, Warning } from '../types.js';
import { langPackage } from './common/lang.js';
import { purl } from './common/purl.js';
import { basename, utf8, warning } from './common/text.js';

const GEMSPEC = /\/specifications\/[^/]+\.gemspec$/;

/**
 * Installed gems: rubygems writes specifications/NAME-VERSION.gemspec as generated Ruby code
 * (`s.name = "rake".freeze`); the assignments are regular enough to read without Ruby.
 */
export function gemspecFacts(text: string): { name?: string; version?: string; licenses: string[] } {
  const q = `["']([^"']+)["'](?:\\.freeze)?`;
  const name = new RegExp(`\\.name\\s*=\\s*${q}`).exec(text)?.[1];
  const version = (
    new RegExp(`\\.version\\s*=\\s*${q}`).exec(text) ?? new RegExp(`\\.version\\s*=\\s*Gem::Version\\.new\\(${q}`).exec(text)
  )?.[1];
  const licenses: string[] = [];
  const lic = /\.licenses?\s*=\s*\[?([^\n\]]*)/.exec(text)?.[1] ?? '';
  for (const m of lic.matchAll(/["']([^"']+)["']/g)) if (m[1]) licenses.push(m[1]);
  return { name, version, licenses };
}

export const gemspecAnalyzer: Analyzer = {
  name: 'gemspec',
  version: 1,
  maxFileSize: 1024 * 1024,
  wants(meta: FileMeta): boolean {
    return GEMSPEC.test(meta.path);
  },
  analyze(input: AnalyzerInput): AnalyzerOutput {
    const packages: Package[] = [];
    const warnings: Warning[] = [];
    for (const f of input.files) {
      const g = gemspecFacts(utf8(f.content));
      if (!g.name || !g.version) {
        warnings.push(warning('gemspec', `${f.meta.path}: no name/version assignment`, f.meta.path));
        continue;
      }
      const u = purl({ type: 'gem', name: g.name, version: g.version });
      packages.push(langPackage('gem', 'RubyGems', g.name, g.version, u, f.meta.path, g.licenses));
    }
    return warnings.length > 0 ? { packages, warnings } : { packages };
  },
};

/** Gemfile.lock: `specs:` entries (four-space indent) of the GEM, GIT and PATH sections. */
export function gemfileLockEntries(text: string): [string, string][] {
  const out: [string, string][] = [];
  let inSpecs = false;
  for (const line of text.split(/\r?\n/)) {
    if (/^\S/.test(line)) inSpecs = false;
    if (line === '  specs:') {
      inSpecs = true;
      continue;
    }
    if (!inSpecs) continue;
    const m = /^ {4}([^\s(]+) \(([^)]+)\)$/.exec(line);
    // The version may carry a platform suffix ("1.13.10-x86_64-linux"); gem versions never contain "-".
    if (m?.[1] && m[2]) out.push([m[1], m[2].split('-')[0] ?? m[2]]);
  }
  return out;
}

export const gemfileLockAnalyzer: Analyzer = {
  name: 'gemfile-lock',
  version: 1,
  maxFileSize: 16 * 1024 * 1024,
  wants(meta: FileMeta): boolean {
    return basename(meta.path) === 'Gemfile.lock';
  },
  analyze(input: AnalyzerInput): AnalyzerOutput {
    const packages: Package[] = [];
    for (const f of input.files) {
      for (const [name, version] of gemfileLockEntries(utf8(f.content))) {
        packages.push(langPackage('gem', 'RubyGems', name, version, purl({ type: 'gem', name, version }), f.meta.path));
      }
    }
    return { packages };
  },
};
