import type { Analyzer, AnalyzerInput, AnalyzerOutput, FileMeta } from '../analyzer.js';
import type { OsInfo } from '../types.js';
import { eolDate } from './eol.js';
import { parseDebControl } from './dpkg/control.js';
import { utf8 } from './common/text.js';

const OS_RELEASE = ['/etc/os-release', '/usr/lib/os-release'];
const RELEASE_FILES = [
  '/etc/debian_version',
  '/etc/alpine-release',
  '/etc/redhat-release',
  '/etc/centos-release',
  '/etc/rocky-release',
  '/etc/almalinux-release',
  '/etc/fedora-release',
  '/etc/system-release',
  '/etc/oracle-release',
  '/etc/lsb-release',
  '/etc/SuSE-release',
];
const STATUS_D = '/var/lib/dpkg/status.d/';

/** os-release `ID` (or the first matching `ID_LIKE`) to our family names. */
const ID_FAMILY: Record<string, string> = {
  debian: 'debian',
  ubuntu: 'ubuntu',
  alpine: 'alpine',
  rhel: 'rhel',
  centos: 'centos',
  rocky: 'rocky',
  almalinux: 'alma',
  fedora: 'fedora',
  amzn: 'amazon',
  sles: 'sles',
  sled: 'sles',
  'sle-micro': 'sles',
  'opensuse-leap': 'opensuse',
  opensuse: 'opensuse',
  'opensuse-tumbleweed': 'opensuse',
  ol: 'oracle',
  photon: 'photon',
  wolfi: 'wolfi',
  chainguard: 'chainguard',
  mariner: 'mariner',
  azurelinux: 'mariner',
};

/** Parses the os-release KEY=value format (shell-like quoting, backslash escapes). */
export function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    let v = line.slice(eq + 1).trim();
    const q = v[0];
    if ((q === '"' || q === "'") && v.endsWith(q) && v.length >= 2) {
      v = v.slice(1, -1);
      if (q === '"') v = v.replace(/\\(["\\$`])/g, '$1');
    }
    out[line.slice(0, eq).trim()] = v;
  }
  return out;
}

/** The release as the vulnerability feeds key it. */
export function feedRelease(family: string, versionId: string): string {
  const parts = versionId.split('.');
  switch (family) {
    case 'debian':
    case 'rhel':
    case 'centos':
    case 'rocky':
    case 'alma':
    case 'oracle':
    case 'fedora':
      return parts[0] ?? versionId;
    case 'alpine': {
      if (/^\d+\.\d+/.test(versionId)) return parts.slice(0, 2).join('.');
      return versionId;
    }
    default:
      return versionId;
  }
}

function make(family: string, name: string, release: string, extra: Partial<OsInfo> = {}): OsInfo {
  const os: OsInfo = { family, name, release, ...extra };
  const eol = eolDate(family, release);
  if (eol) os.eol = eol;
  for (const k of Object.keys(os) as (keyof OsInfo)[]) if (os[k] === undefined || os[k] === '') delete os[k];
  os.release = release;
  return os;
}

export function fromOsRelease(kv: Record<string, string>, debianVersion?: string): OsInfo | undefined {
  const id = (kv.ID ?? '').toLowerCase();
  let family = ID_FAMILY[id];
  if (!family) {
    const like = (kv.ID_LIKE ?? '').toLowerCase().split(/\s+/);
    family = like.map((l) => ID_FAMILY[l]).find((f) => f !== undefined) ?? (id || undefined);
  }
  if (!family) return undefined;
  let versionId = kv.VERSION_ID ?? '';
  if (family === 'debian' && versionId === '' && debianVersion) {
    // Testing/sid has no VERSION_ID; debian_version says e.g. "trixie/sid".
    versionId = /^\d/.test(debianVersion) ? debianVersion : '';
  }
  if (family === 'alpine' && /_alpha|_beta|_rc/.test(versionId)) versionId = 'edge';
  return make(family, kv.NAME ?? id, versionId ? feedRelease(family, versionId) : '', {
    codename: kv.VERSION_CODENAME ?? kv.UBUNTU_CODENAME,
    prettyName: kv.PRETTY_NAME,
  });
}

/** "Red Hat Enterprise Linux release 8.9 (Ootpa)" and friends. */
function fromReleaseLine(line: string): OsInfo | undefined {
  // Release lines are short; the bound keeps the lazy pattern linear on hostile input.
  const m = /^(.*?)\s+(?:release\s+)?(\d[\w.]*)\s*(?:\(([^)]*)\))?/i.exec(line.trim().slice(0, 256));
  if (!m) return undefined;
  const name = (m[1] ?? '').trim();
  const ver = m[2] ?? '';
  const lower = name.toLowerCase();
  const family = lower.includes('red hat')
    ? 'rhel'
    : lower.includes('centos')
      ? 'centos'
      : lower.includes('rocky')
        ? 'rocky'
        : lower.includes('alma')
          ? 'alma'
          : lower.includes('fedora')
            ? 'fedora'
            : lower.includes('oracle')
              ? 'oracle'
              : lower.includes('amazon')
                ? 'amazon'
                : lower.includes('suse')
                  ? 'sles'
                  : undefined;
  if (!family) return undefined;
  const release = family === 'amazon' && ver.startsWith('20') && ver !== '2023' ? ver : feedRelease(family, ver);
  return make(family, name, release, { codename: m[3], prettyName: line.trim() });
}

function releaseFromBaseFiles(status: string): string | undefined {
  for (const st of parseDebControl(status)) {
    if (st.fields.package === 'base-files' && st.fields.version) {
      const m = /^(\d+)/.exec(st.fields.version);
      if (m) return m[1];
    }
  }
  return undefined;
}

function detect(input: AnalyzerInput): OsInfo | undefined {
  const byPath = new Map(input.files.map((f) => [f.meta.path, utf8(f.content)]));
  const debianVersion = byPath.get('/etc/debian_version')?.trim();
  for (const p of OS_RELEASE) {
    const text = byPath.get(p);
    if (text !== undefined) {
      const os = fromOsRelease(parseOsRelease(text), debianVersion);
      if (os) return os;
    }
  }
  const lsb = byPath.get('/etc/lsb-release');
  if (lsb !== undefined) {
    const kv = parseOsRelease(lsb);
    if (kv.DISTRIB_ID && kv.DISTRIB_RELEASE) {
      const os = fromOsRelease({
        ID: kv.DISTRIB_ID.toLowerCase(),
        NAME: kv.DISTRIB_ID,
        VERSION_ID: kv.DISTRIB_RELEASE,
        VERSION_CODENAME: kv.DISTRIB_CODENAME ?? '',
        PRETTY_NAME: kv.DISTRIB_DESCRIPTION ?? '',
      });
      if (os) return os;
    }
  }
  const alpine = byPath.get('/etc/alpine-release')?.trim();
  if (alpine) return fromOsRelease({ ID: 'alpine', NAME: 'Alpine Linux', VERSION_ID: alpine });
  for (const p of RELEASE_FILES) {
    if (p === '/etc/debian_version' || p === '/etc/alpine-release' || p === '/etc/lsb-release') continue;
    const text = byPath.get(p);
    if (text !== undefined) {
      const os = fromReleaseLine(text.split('\n')[0] ?? '');
      if (os) return os;
    }
  }
  const statusD = input.files.filter((f) => f.meta.path.startsWith(STATUS_D));
  // Distroless: a dpkg status.d without os-release is still Debian. Only when no earlier layer
  // named the OS, so a later layer's status.d files never override the base layer's os-release.
  if (debianVersion || (statusD.length > 0 && !input.os)) {
    let release = debianVersion && /^\d/.test(debianVersion) ? feedRelease('debian', debianVersion) : '';
    if (!release) for (const f of statusD) release ||= releaseFromBaseFiles(utf8(f.content)) ?? '';
    return make('debian', 'Debian GNU/Linux', release, {});
  }
  return undefined;
}

export const osReleaseAnalyzer: Analyzer = {
  name: 'os-release',
  version: 1,
  maxFileSize: 64 * 1024,
  wants(meta: FileMeta): boolean {
    return OS_RELEASE.includes(meta.path) || RELEASE_FILES.includes(meta.path) || meta.path.startsWith(STATUS_D);
  },
  analyze(input: AnalyzerInput): AnalyzerOutput {
    try {
      const os = detect(input);
      return os ? { os } : {};
    } catch (err) {
      return { warnings: [{ code: 'os-release-error', message: err instanceof Error ? err.message : String(err) }] };
    }
  },
};
