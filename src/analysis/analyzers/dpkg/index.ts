import type { Analyzer, AnalyzerInput, AnalyzerOutput, FileMeta } from '../../analyzer.js';
import type { OsInfo, Package, Warning } from '../../types.js';
import { osEcosystem } from '../common/os.js';
import { osPackagePurl } from '../common/os-package.js';
import { basename, utf8, warning } from '../common/text.js';
import { type Stanza, parseDebControl } from './control.js';
import { dep5Licenses } from './copyright.js';
import { debVersionProblem } from './version.js';

const STATUS = '/var/lib/dpkg/status';
const STATUS_D = '/var/lib/dpkg/status.d/';
const INFO = '/var/lib/dpkg/info/';
const DOC = /^\/usr\/share\/doc\/([^/]+)\/copyright$/;

/** Installed unless Status says otherwise; distroless status.d stanzas carry no Status at all. */
function isInstalled(st: Stanza): boolean {
  const status = st.fields.status;
  if (status === undefined) return true;
  const [want, , state] = status.split(/\s+/);
  return state === 'installed' && want !== 'deinstall' && want !== 'purge';
}

/** `Source: name (version)`; the binary's own name/version when absent. */
function source(st: Stanza, name: string, version: string): { name: string; version: string } {
  const src = st.fields.source?.trim();
  if (!src) return { name, version };
  const m = /^(\S+)\s*(?:\(([^)]*)\))?/.exec(src);
  const v = m?.[2]?.trim();
  return { name: m?.[1] ?? name, version: v || version };
}

function toPackage(st: Stanza, path: string, os: OsInfo | undefined, warnings: Warning[]): Package | undefined {
  const name = st.fields.package?.trim();
  if (!name) return undefined;
  if (!isInstalled(st)) return undefined;
  const version = st.fields.version?.trim() ?? '';
  const problem = version === '' ? 'no Version field' : debVersionProblem(version);
  if (problem) {
    warnings.push(warning('dpkg-bad-stanza', `${path}:${st.line}: package ${name} dropped: ${problem}`, path));
    return undefined;
  }
  const src = source(st, name, version);
  const arch = st.fields.architecture?.trim();
  const pkg: Package = {
    type: 'dpkg',
    ecosystem: osEcosystem(os, 'Debian'),
    name,
    version,
    purl: osPackagePurl({ type: 'dpkg', name, version, arch }, os),
    sourceName: src.name,
    sourceVersion: src.version,
    path,
  };
  if (arch) pkg.arch = arch;
  return pkg;
}

function addOwners(owners: Record<string, string>, file: { meta: FileMeta; content: Buffer }): void {
  const p = file.meta.path;
  const base = basename(p);
  const md5 = base.endsWith('.md5sums');
  const pkg = base.slice(0, base.lastIndexOf('.')).split(':')[0] ?? '';
  if (pkg === '') return;
  for (const raw of utf8(file.content).split('\n')) {
    let line = raw.replace(/\r$/, '');
    // md5sums lines are "<md5>  <path relative to />".
    if (md5) line = '/' + line.replace(/^[0-9a-f]{32}\s+/i, '').replace(/^\/+/, '');
    if (line.startsWith('/') && line.length > 1) owners[line] = pkg;
  }
}

export const dpkgAnalyzer: Analyzer = {
  name: 'dpkg',
  version: 1,
  maxFileSize: 64 * 1024 * 1024,
  wants(meta: FileMeta): boolean {
    const p = meta.path;
    if (p === STATUS) return true;
    if (p.startsWith(STATUS_D)) return !p.slice(STATUS_D.length).includes('/');
    if (p.startsWith(INFO)) return p.endsWith('.list') && !p.slice(INFO.length).includes('/');
    return DOC.test(p);
  },
  analyze(input: AnalyzerInput): AnalyzerOutput {
    const warnings: Warning[] = [];
    const packages: Package[] = [];
    const owners: Record<string, string> = {};
    const licenses = new Map<string, string[]>();
    for (const f of input.files) {
      const m = DOC.exec(f.meta.path);
      if (m?.[1]) {
        try {
          const l = dep5Licenses(utf8(f.content));
          if (l.length > 0) licenses.set(m[1], l);
        } catch {
          // A copyright file we cannot read only means no license facts.
        }
      }
    }
    for (const f of input.files) {
      const p = f.meta.path;
      try {
        if (p.endsWith('.list') || (p.startsWith(STATUS_D) && p.endsWith('.md5sums'))) {
          addOwners(owners, f);
          continue;
        }
        if (p !== STATUS && !p.startsWith(STATUS_D)) continue;
        const text = utf8(f.content);
        const stanzas = parseDebControl(text);
        if (stanzas.length === 0 && text.trim() !== '') {
          warnings.push(warning('dpkg-corrupt', `${p}: no package stanza found`, p));
        }
        for (const st of stanzas) {
          const pkg = toPackage(st, p, input.os, warnings);
          if (!pkg) continue;
          const lic = licenses.get(pkg.name);
          if (lic) pkg.licenses = lic;
          packages.push(pkg);
        }
      } catch (err) {
        warnings.push(warning('dpkg-error', `${p}: ${err instanceof Error ? err.message : String(err)}`, p));
      }
    }
    const out: AnalyzerOutput = { packages };
    if (Object.keys(owners).length > 0) out.fileOwners = owners;
    if (warnings.length > 0) out.warnings = warnings;
    return out;
  },
};
