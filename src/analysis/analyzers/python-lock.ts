import type { Analyzer, AnalyzerInput, AnalyzerOutput, FileMeta } from '../analyzer.js';
import type { Package, Warning } from '../types.js';
import { langPackage, pypiPurl } from './common/lang.js';
import { basename, isRecord, parseJson, str, utf8, warning } from './common/text.js';
import { tomlPackageTables } from './common/toml-packages.js';

type NV = [name: string, version: string];

/** requirements*.txt: only exact pins (`name==1.2` / `name===1.2`) name a version. */
export function requirementsEntries(text: string): NV[] {
  const out: NV[] = [];
  for (const raw of text.replace(/\\\r?\n/g, ' ').split('\n')) {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (line === '' || line.startsWith('-')) continue;
    const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*===?\s*([^\s;,]+)\s*(?:;.*|--hash.*)?$/.exec(line);
    if (m?.[1] && m[2] && !m[2].includes('*')) out.push([m[1], m[2]]);
  }
  return out;
}

export function pipfileLockEntries(doc: unknown): NV[] {
  if (!isRecord(doc)) throw new Error('not a JSON object');
  const out: NV[] = [];
  for (const section of ['default', 'develop']) {
    const deps = doc[section];
    if (!isRecord(deps)) continue;
    for (const [name, v] of Object.entries(deps)) {
      const version = isRecord(v) ? str(v.version) : undefined;
      if (version?.startsWith('==')) out.push([name, version.slice(2)]);
    }
  }
  return out;
}

export function poetryLockEntries(text: string): NV[] {
  return tomlPackageTables(text)
    .filter((t) => t.name && t.version)
    .map((t) => [t.name ?? '', t.version ?? '']);
}

function kind(path: string): 'requirements' | 'pipfile' | 'poetry' | undefined {
  const b = basename(path);
  if (b === 'Pipfile.lock') return 'pipfile';
  if (b === 'poetry.lock') return 'poetry';
  if (/^requirements.*\.txt$/.test(b)) return 'requirements';
  return undefined;
}

/** Python lock/pin files: poetry.lock, Pipfile.lock, requirements*.txt (exact pins). */
export const pythonLockAnalyzer: Analyzer = {
  name: 'python-lock',
  version: 1,
  maxFileSize: 16 * 1024 * 1024,
  wants(meta: FileMeta): boolean {
    return kind(meta.path) !== undefined;
  },
  analyze(input: AnalyzerInput): AnalyzerOutput {
    const packages: Package[] = [];
    const warnings: Warning[] = [];
    for (const f of input.files) {
      const p = f.meta.path;
      try {
        const text = utf8(f.content);
        const k = kind(p);
        let entries: NV[];
        if (k === 'pipfile') {
          const doc = parseJson(text);
          if (doc === undefined) throw new Error('not valid JSON');
          entries = pipfileLockEntries(doc);
        } else if (k === 'poetry') entries = poetryLockEntries(text);
        else entries = requirementsEntries(text);
        for (const [name, version] of entries) {
          packages.push(langPackage('python', 'PyPI', name, version, pypiPurl(name, version), p));
        }
      } catch (err) {
        warnings.push(warning('python-lock', `${p}: ${err instanceof Error ? err.message : String(err)}`, p));
      }
    }
    return warnings.length > 0 ? { packages, warnings } : { packages };
  },
};
