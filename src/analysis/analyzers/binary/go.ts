import type { Analyzer, AnalyzerInput, AnalyzerOutput, FileMeta } from '../../analyzer.js';
import type { Package, Warning } from '../../types.js';
import { langPackage } from '../common/lang.js';
import { purl } from '../common/purl.js';
import { warning } from '../common/text.js';
import { openExe } from './exe.js';
import { type GoModule, hasGoBuildInfo, readGoBuildInfo } from './go-buildinfo.js';
import { wantsExecutable } from './wants.js';

export function goPurl(path: string, version: string): string {
  const slash = path.lastIndexOf('/');
  return slash > 0
    ? purl({ type: 'golang', namespace: path.slice(0, slash), name: path.slice(slash + 1), version })
    : purl({ type: 'golang', name: path, version });
}

/**
 * "go1.21.5 X:boringcrypto" -> "v1.21.5": the toolchain is reported as the package "stdlib"
 * with a module-style version so one version scheme covers the whole Go ecosystem.
 */
export function stdlibVersion(goVersion: string): string | undefined {
  const m = /^go(\d+(?:\.\d+)*)((?:rc|beta)\d+)?/.exec(goVersion.trim());
  if (!m?.[1]) return undefined;
  let v = m[1];
  if (v.split('.').length === 2) v += '.0';
  return `v${v}${m[2] ? `-${m[2]}` : ''}`;
}

/** A replacement with a version replaces the module; a local directory keeps the original. */
function effective(m: GoModule): GoModule {
  return m.replace && m.replace.version ? m.replace : m;
}

export const goBinaryAnalyzer = {
  name: 'go-binary',
  version: 1,
  maxFileSize: 512 * 1024 * 1024,
  wants: wantsExecutable,
  // Every executable is read; only Go binaries are worth holding until analyze().
  keep: (_meta: FileMeta, parts: readonly Buffer[]) => hasGoBuildInfo(parts),
  analyze(input: AnalyzerInput): AnalyzerOutput {
    const packages: Package[] = [];
    const warnings: Warning[] = [];
    for (const f of input.files) {
      const p = f.meta.path;
      try {
        const info = readGoBuildInfo(f.content, () => openExe(f.content));
        if (!info) continue;
        const add = (name: string, version: string) =>
          packages.push(langPackage('go', 'Go', name, version, goPurl(name, version), p));
        if (info.main?.path) add(info.main.path, info.main.version);
        for (const d of info.deps) {
          const m = effective(d);
          if (m.path) add(m.path, m.version);
        }
        const std = stdlibVersion(info.goVersion);
        if (std) add('stdlib', std);
      } catch (err) {
        warnings.push(warning('go-buildinfo', `${p}: ${err instanceof Error ? err.message : String(err)}`, p));
      }
    }
    return warnings.length > 0 ? { packages, warnings } : { packages };
  },
} satisfies Analyzer;
