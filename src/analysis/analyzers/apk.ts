import type { Analyzer, AnalyzerInput, AnalyzerOutput, FileMeta } from '../analyzer.js';
import type { OsInfo, Package, Warning } from '../types.js';
import { osEcosystem } from './common/os.js';
import { osPackagePurl } from './common/os-package.js';
import { utf8, warning } from './common/text.js';

const DB_PATHS = ['/lib/apk/db/installed', '/usr/lib/apk/db/installed'];

interface Rec {
  fields: Map<string, string>;
  files: string[];
  line: number;
}

/**
 * Parses an apk installed database. Every non-empty line must be `K:value` with a one-character
 * key; anything else means the file is not an apk database, and the whole file is refused
 * (as apk-tools and syft do) rather than guessed at.
 */
export function parseApkDb(text: string): { records: Rec[] } | { error: string } {
  const records: Rec[] = [];
  let cur: Rec | undefined;
  let dir = '';
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').replace(/\r$/, '');
    if (line === '') {
      cur = undefined;
      continue;
    }
    if (line.length < 2 || line[1] !== ':') return { error: `line ${i + 1} is not a "K:value" field` };
    const key = line[0] ?? '';
    const value = line.slice(2);
    if (!cur) {
      cur = { fields: new Map(), files: [], line: i + 1 };
      records.push(cur);
      dir = '';
    }
    if (key === 'F') {
      dir = value;
      cur.files.push(`/${value}`);
    } else if (key === 'R') {
      cur.files.push(dir ? `/${dir}/${value}` : `/${value}`);
    } else if (!cur.fields.has(key)) {
      cur.fields.set(key, value);
    }
  }
  return { records };
}

function toPackage(r: Rec, path: string, os: OsInfo | undefined): Package | undefined {
  const name = r.fields.get('P');
  const version = r.fields.get('V');
  if (!name || !version) return undefined;
  const arch = r.fields.get('A');
  const origin = r.fields.get('o') || name;
  const pkg: Package = {
    type: 'apk',
    ecosystem: osEcosystem(os, 'Alpine'),
    name,
    version,
    purl: osPackagePurl({ type: 'apk', name, version, arch }, os),
    sourceName: origin,
    // apk origins are built at the same version as their subpackages.
    sourceVersion: version,
    path,
  };
  if (arch) pkg.arch = arch;
  const lic = r.fields.get('L');
  if (lic) pkg.licenses = [lic];
  return pkg;
}

export const apkAnalyzer: Analyzer = {
  name: 'apk',
  version: 1,
  maxFileSize: 64 * 1024 * 1024,
  wants(meta: FileMeta): boolean {
    return DB_PATHS.includes(meta.path);
  },
  analyze(input: AnalyzerInput): AnalyzerOutput {
    const packages: Package[] = [];
    const warnings: Warning[] = [];
    const owners: Record<string, string> = {};
    for (const f of input.files) {
      const p = f.meta.path;
      const parsed = parseApkDb(utf8(f.content));
      if ('error' in parsed) {
        warnings.push(warning('apk-corrupt', `${p}: not an apk database (${parsed.error}); no packages read`, p));
        continue;
      }
      for (const r of parsed.records) {
        const pkg = toPackage(r, p, input.os);
        if (!pkg) {
          const what = r.fields.get('P') ?? '(no P: field)';
          warnings.push(warning('apk-bad-record', `${p}:${r.line}: package ${what} dropped: no name or version`, p));
          continue;
        }
        packages.push(pkg);
        for (const file of r.files) owners[file] = pkg.name;
      }
    }
    const out: AnalyzerOutput = { packages };
    if (Object.keys(owners).length > 0) out.fileOwners = owners;
    if (warnings.length > 0) out.warnings = warnings;
    return out;
  },
};
