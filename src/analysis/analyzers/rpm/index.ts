import type { Analyzer, AnalyzerInput, AnalyzerOutput, FileMeta } from '../../analyzer.js';
import type { OsInfo, Package, Warning } from '../../types.js';
import { osEcosystem } from '../common/os.js';
import { osPackagePurl } from '../common/os-package.js';
import { basename, warning } from '../common/text.js';
import { bdbHashValues, isBdbHash } from './bdb.js';
import { type RpmHeader, readRpmHeader, splitSourceRpm } from './header.js';
import { isNdb, ndbBlobs } from './ndb.js';
import { sqliteBlobs } from './sqlite.js';

const DIRS = ['/var/lib/rpm/', '/usr/lib/sysimage/rpm/', '/usr/share/rpm/'];
const FILES = ['Packages', 'Packages.db', 'rpmdb.sqlite'];

function blobsOf(buf: Buffer, onError: (m: string) => void): Buffer[] {
  if (buf.toString('latin1', 0, 15) === 'SQLite format 3') return sqliteBlobs(buf);
  if (isNdb(buf)) return ndbBlobs(buf, onError);
  if (isBdbHash(buf)) return bdbHashValues(buf, onError);
  throw new Error('unknown rpm database format');
}

export function rpmVersion(h: Pick<RpmHeader, 'epoch' | 'version' | 'release'>): string {
  const vr = h.release === '' ? h.version : `${h.version}-${h.release}`;
  return h.epoch !== undefined && h.epoch !== 0 ? `${h.epoch}:${vr}` : vr;
}

function toPackage(h: RpmHeader, path: string, os: OsInfo | undefined): Package {
  const version = rpmVersion(h);
  const vendor = h.vendor?.split(/\s|,/)[0]?.toLowerCase();
  const pkg: Package = {
    type: 'rpm',
    ecosystem: osEcosystem(os, 'RPM'),
    name: h.name,
    version,
    purl: osPackagePurl({ type: 'rpm', name: h.name, version, arch: h.arch }, os, vendor),
    path,
  };
  if (h.arch) pkg.arch = h.arch;
  if (h.license) pkg.licenses = [h.license];
  const src = h.sourceRpm ? splitSourceRpm(h.sourceRpm) : undefined;
  // SOURCERPM carries no epoch; the binary's epoch is the source's (same spec file).
  pkg.sourceName = src?.name ?? h.name;
  pkg.sourceVersion = src ? rpmVersion({ epoch: h.epoch, version: src.version, release: src.release }) : version;
  return pkg;
}

export const rpmAnalyzer: Analyzer = {
  name: 'rpm',
  version: 1,
  maxFileSize: 512 * 1024 * 1024,
  wants(meta: FileMeta): boolean {
    const name = basename(meta.path);
    return FILES.includes(name) && DIRS.some((d) => meta.path === d + name);
  },
  analyze(input: AnalyzerInput): AnalyzerOutput {
    const packages: Package[] = [];
    const warnings: Warning[] = [];
    const owners: Record<string, string> = {};
    for (const f of input.files) {
      const p = f.meta.path;
      let blobs: Buffer[];
      try {
        blobs = blobsOf(f.content, (m) => warnings.push(warning('rpm-bad-entry', `${p}: ${m}`, p)));
      } catch (err) {
        warnings.push(warning('rpm-corrupt', `${p}: ${err instanceof Error ? err.message : String(err)}`, p));
        continue;
      }
      for (const [i, blob] of blobs.entries()) {
        let h: RpmHeader;
        try {
          h = readRpmHeader(blob);
        } catch (err) {
          warnings.push(warning('rpm-bad-header', `${p}: entry ${i}: ${err instanceof Error ? err.message : String(err)}`, p));
          continue;
        }
        // Imported signing keys are stored as pseudo-packages; they are not software.
        if (h.name === 'gpg-pubkey') continue;
        packages.push(toPackage(h, p, input.os));
        for (const file of h.files) owners[file] = h.name;
      }
    }
    const out: AnalyzerOutput = { packages };
    if (Object.keys(owners).length > 0) out.fileOwners = owners;
    if (warnings.length > 0) out.warnings = warnings;
    return out;
  },
};
