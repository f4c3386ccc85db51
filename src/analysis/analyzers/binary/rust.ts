import { inflateSync } from 'node:zlib';
import type { Analyzer, AnalyzerInput, AnalyzerOutput, FileMeta } from '../../analyzer.js';
import type { Package, Warning } from '../../types.js';
import { langPackage } from '../common/lang.js';
import { purl } from '../common/purl.js';
import { isRecord, parseJson, str, warning } from '../common/text.js';
import { occursIn } from './chunks.js';
import { openExe } from './exe.js';
import { wantsExecutable } from './wants.js';

const SECTION_NAMES = new Set(['.dep-v0', '__dep-v0', 'dep-v0']);
const MAX_JSON = 8 * 1024 * 1024;

/** Rust binaries built with cargo-auditable: zlib-compressed JSON dependency list in `.dep-v0`. */
const DEP_V0 = Buffer.from('dep-v0');
/** The section name sits in the string table: a cheap test before parsing any headers. */
const mayHaveDeps = (parts: readonly Buffer[]) => occursIn(parts, DEP_V0);

export const rustBinaryAnalyzer = {
  name: 'rust-binary',
  version: 1,
  maxFileSize: 512 * 1024 * 1024,
  wants: wantsExecutable,
  // Every executable is read; only audited Rust binaries are worth holding until analyze().
  keep: (_meta: FileMeta, parts: readonly Buffer[]) => mayHaveDeps(parts),
  analyze(input: AnalyzerInput): AnalyzerOutput {
    const packages: Package[] = [];
    const warnings: Warning[] = [];
    for (const f of input.files) {
      const p = f.meta.path;
      if (!mayHaveDeps([f.content])) continue;
      try {
        const exe = openExe(f.content);
        const sec = exe?.sections.find((s) => SECTION_NAMES.has(s.name));
        if (!sec) continue;
        if (sec.offset + sec.size > f.content.length) throw new Error('dep-v0 section outside the file');
        const json = inflateSync(f.content.subarray(sec.offset, sec.offset + sec.size), { maxOutputLength: MAX_JSON });
        const doc = parseJson(json.toString('utf8'));
        if (!isRecord(doc) || !Array.isArray(doc.packages)) throw new Error('dep-v0 is not a package list');
        for (const e of doc.packages) {
          if (!isRecord(e)) continue;
          const name = str(e.name);
          const version = str(e.version);
          // Build-time-only dependencies are not in the binary.
          if (!name || !version || e.kind === 'build') continue;
          packages.push(langPackage('cargo', 'crates.io', name, version, purl({ type: 'cargo', name, version }), p));
        }
      } catch (err) {
        warnings.push(warning('rust-audit', `${p}: ${err instanceof Error ? err.message : String(err)}`, p));
      }
    }
    return warnings.length > 0 ? { packages, warnings } : { packages };
  },
} satisfies Analyzer;
