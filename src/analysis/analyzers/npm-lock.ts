import { parse as parseYaml } from 'yaml';
import type { Analyzer, AnalyzerInput, AnalyzerOutput, FileMeta } from '../analyzer.js';
import type { Package, Warning } from '../types.js';
import { langPackage, npmPurl } from './common/lang.js';
import { basename, isRecord, parseJson, str, utf8, warning } from './common/text.js';

type NV = [name: string, version: string];

/** Errors throw (and become warnings); YAML warnings about odd tags are not worth a log line. */
const YAML_OPTIONS = { logLevel: 'error' } as const;

/** package-lock.json / npm-shrinkwrap.json / node_modules/.package-lock.json, lockfile v1-v3. */
export function packageLockEntries(doc: unknown): NV[] {
  if (!isRecord(doc)) throw new Error('not a JSON object');
  const out: NV[] = [];
  if (isRecord(doc.packages)) {
    for (const [key, v] of Object.entries(doc.packages)) {
      if (key === '' || !isRecord(v) || v.link === true) continue;
      const i = key.lastIndexOf('node_modules/');
      const name = str(v.name) ?? (i >= 0 ? key.slice(i + 'node_modules/'.length) : undefined);
      const version = str(v.version);
      if (name && version) out.push([name, version]);
    }
    return out;
  }
  const walk = (deps: unknown): void => {
    if (!isRecord(deps)) return;
    for (const [name, v] of Object.entries(deps)) {
      if (!isRecord(v)) continue;
      const version = str(v.version);
      // v1 records links and git deps as URLs/paths in "version"; only registry versions count.
      if (version && !/^(file|link|git|github|https?):/.test(version)) out.push([name, version]);
      walk(v.dependencies);
    }
  };
  walk(doc.dependencies);
  return out;
}

/** "name@range" (or "@scope/name@npm:range") -> name. */
function descriptorName(d: string): string | undefined {
  const s = d.trim().replace(/^"|"$/g, '');
  const at = s.indexOf('@', s.startsWith('@') ? 1 : 0);
  return at > 0 ? s.slice(0, at) : undefined;
}

/** yarn.lock v1 (its own format) or berry (YAML, with __metadata). */
export function yarnLockEntries(text: string): NV[] {
  const out: NV[] = [];
  if (/^__metadata:/m.test(text)) {
    const doc: unknown = parseYaml(text, YAML_OPTIONS);
    if (!isRecord(doc)) throw new Error('not a YAML mapping');
    for (const [key, v] of Object.entries(doc)) {
      if (key === '__metadata' || !isRecord(v)) continue;
      const version = typeof v.version === 'number' ? String(v.version) : str(v.version);
      const first = key.split(',')[0] ?? '';
      const name = descriptorName(first);
      // Workspace and link entries are the project itself, not installed packages.
      if (!name || !version || /@(workspace|link|portal|file):/.test(first)) continue;
      out.push([name, version]);
    }
    return out;
  }
  let name: string | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    if (!line.startsWith(' ')) {
      name = line.endsWith(':') ? descriptorName(line.slice(0, -1).split(',')[0] ?? '') : undefined;
      continue;
    }
    const m = /^ {2}version:? "?([^"\s]+)"?/.exec(line);
    if (m?.[1] && name) {
      out.push([name, m[1]]);
      name = undefined;
    }
  }
  return out;
}

/** pnpm-lock.yaml v5 ("/name/1.0.0"), v6 ("/name@1.0.0"), v9 ("name@1.0.0"); peer suffixes dropped. */
export function pnpmLockEntries(text: string): NV[] {
  const doc: unknown = parseYaml(text, YAML_OPTIONS);
  if (!isRecord(doc)) throw new Error('not a YAML mapping');
  const out: NV[] = [];
  const pkgs = isRecord(doc.packages) ? doc.packages : {};
  // v5 keys are "/name/version_peer@x"; v6+ keys are "name@version(peer@x)".
  const v5 = parseFloat(String(doc.lockfileVersion)) < 6;
  for (const [rawKey, v] of Object.entries(pkgs)) {
    let key = rawKey.replace(/^\//, '').replace(/\(.*$/, '');
    let name: string | undefined;
    let version: string | undefined;
    if (v5) {
      key = key.replace(/_.*$/, '');
      const slash = key.lastIndexOf('/');
      if (slash > 0) {
        name = key.slice(0, slash);
        version = key.slice(slash + 1);
      }
    } else {
      const at = key.indexOf('@', key.startsWith('@') ? 1 : 0);
      if (at > 0) {
        name = key.slice(0, at);
        version = key.slice(at + 1);
      }
    }
    if (isRecord(v)) {
      name = str(v.name) ?? name;
      version = str(v.version) ?? version;
    }
    if (name && version && /^\d/.test(version)) out.push([name, version]);
  }
  return out;
}

const LOCKS = new Set(['package-lock.json', 'npm-shrinkwrap.json', '.package-lock.json', 'yarn.lock', 'pnpm-lock.yaml']);

/** npm-family lock files: what a project would install (source-tree scans). */
export const npmLockAnalyzer: Analyzer = {
  name: 'npm-lock',
  version: 1,
  maxFileSize: 64 * 1024 * 1024,
  wants(meta: FileMeta): boolean {
    return LOCKS.has(basename(meta.path));
  },
  analyze(input: AnalyzerInput): AnalyzerOutput {
    const packages: Package[] = [];
    const warnings: Warning[] = [];
    for (const f of input.files) {
      const p = f.meta.path;
      try {
        const text = utf8(f.content);
        const base = basename(p);
        let entries: NV[];
        if (base === 'yarn.lock') entries = yarnLockEntries(text);
        else if (base === 'pnpm-lock.yaml') entries = pnpmLockEntries(text);
        else {
          const doc = parseJson(text);
          if (doc === undefined) throw new Error('not valid JSON');
          entries = packageLockEntries(doc);
        }
        const seen = new Set<string>();
        for (const [name, version] of entries) {
          const key = `${name}@${version}`;
          if (seen.has(key)) continue;
          seen.add(key);
          packages.push(langPackage('npm', 'npm', name, version, npmPurl(name, version), p));
        }
      } catch (err) {
        warnings.push(warning('npm-lock', `${p}: ${err instanceof Error ? err.message : String(err)}`, p));
      }
    }
    return warnings.length > 0 ? { packages, warnings } : { packages };
  },
};
