import type { Analyzer, AnalyzerInput, AnalyzerOutput, FileMeta } from '../../analyzer.js';
import type { Package, Warning } from '../../types.js';
import { langPackage } from '../common/lang.js';
import { purl } from '../common/purl.js';
import { basename, utf8, warning } from '../common/text.js';
import { type ZipEntry, zipEntries, zipRead } from './zip.js';

const ARCHIVE = /\.(jar|war|ear|jpi|hpi|par|sar|rar|kar)$/i;
const MAX_DEPTH = 3;
const MAX_NESTED = 64 * 1024 * 1024;
const MAX_META = 1024 * 1024;
/** Most bytes inflated for one archive in the image, nested archives included (zip bombs). */
const MAX_INFLATED = 1024 * 1024 * 1024;

interface Budget {
  left: number;
}

/** Reads an entry, charging its real (not declared) size to the archive's budget. */
function read(buf: Buffer, e: ZipEntry, max: number, budget: Budget): Buffer {
  if (budget.left <= 0) throw new Error(`${e.name}: inflation budget of ${MAX_INFLATED} bytes used up`);
  const data = zipRead(buf, e, Math.min(max, budget.left));
  budget.left -= data.length;
  return data;
}

interface Coords {
  group?: string;
  artifact: string;
  version: string;
  licenses?: string[];
}

/** java.util.Properties, the subset pom.properties uses. */
export function parseProperties(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    const m = /^([^=:\s]+)\s*[=:\s]\s*(.*)$/.exec(line);
    if (m?.[1]) out[m[1]] = m[2] ?? '';
  }
  return out;
}

/** MANIFEST.MF main section; continuation lines begin with one space. */
export function parseManifest(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  let last: string | undefined;
  for (const raw of text.split(/\r?\n/)) {
    if (raw === '') break;
    if (raw.startsWith(' ') && last) {
      out[last] += raw.slice(1);
      continue;
    }
    const i = raw.indexOf(':');
    if (i <= 0) continue;
    last = raw.slice(0, i).trim();
    out[last] = raw.slice(i + 1).trim();
  }
  return out;
}

function fromManifest(m: Record<string, string>, fileName: string): Coords | undefined {
  const version = m['Implementation-Version'] ?? m['Bundle-Version'] ?? m['Specification-Version'];
  const fromName = /^(.+?)-(\d[\w.+-]*)\.[a-z]+$/i.exec(fileName);
  const sym = m['Bundle-SymbolicName']?.split(';')[0]?.trim();
  const artifact = fromName?.[1] ?? m['Implementation-Title'] ?? sym;
  const v = version ?? fromName?.[2];
  if (!artifact || !v) return undefined;
  const group = m['Implementation-Vendor-Id'] ?? (sym && sym.endsWith(`.${artifact}`) ? sym.slice(0, -artifact.length - 1) : undefined);
  const c: Coords = { artifact, version: v };
  if (group) c.group = group;
  const lic = m['Bundle-License'];
  if (lic) c.licenses = [lic.split(';')[0] ?? lic];
  return c;
}

function archiveCoords(buf: Buffer, fileName: string, depth: number, budget: Budget, warn: (m: string) => void): Coords[] {
  const entries = zipEntries(buf);
  const out: Coords[] = [];
  let manifest: ZipEntry | undefined;
  for (const e of entries) {
    if (/^META-INF\/maven\/[^/]+\/[^/]+\/pom\.properties$/.test(e.name)) {
      const p = parseProperties(utf8(read(buf, e, MAX_META, budget)));
      if (p.artifactId && p.version) out.push({ group: p.groupId, artifact: p.artifactId, version: p.version });
    } else if (e.name === 'META-INF/MANIFEST.MF') {
      manifest = e;
    }
  }
  if (out.length === 0 && manifest) {
    const c = fromManifest(parseManifest(utf8(read(buf, manifest, MAX_META, budget))), fileName);
    if (c) out.push(c);
  }
  if (out.length === 0) {
    const c = fromManifest({}, fileName);
    if (c) out.push(c);
  }
  for (const e of entries) {
    if (!ARCHIVE.test(e.name) || e.name.endsWith('/')) continue;
    if (depth >= MAX_DEPTH) {
      warn(`${e.name}: nested deeper than ${MAX_DEPTH} archives, skipped`);
      continue;
    }
    try {
      const inner = read(buf, e, MAX_NESTED, budget);
      out.push(...archiveCoords(inner, basename(e.name), depth + 1, budget, warn));
    } catch (err) {
      warn(`${e.name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return out;
}

/**
 * Java archives (jar, war, ear, ...): Maven coordinates from META-INF/maven/../pom.properties,
 * else MANIFEST.MF, else the file name; nested archives (WEB-INF/lib, BOOT-INF/lib) up to three
 * levels. Packages are named "groupId:artifactId" as OSV's Maven ecosystem names them; their
 * path is the outer archive in the image.
 */
export const javaArchiveAnalyzer: Analyzer = {
  name: 'java-archive',
  version: 1,
  maxFileSize: 256 * 1024 * 1024,
  wants(meta: FileMeta): boolean {
    return ARCHIVE.test(meta.path);
  },
  analyze(input: AnalyzerInput): AnalyzerOutput {
    const packages: Package[] = [];
    const warnings: Warning[] = [];
    for (const f of input.files) {
      const p = f.meta.path;
      const warn = (m: string) => warnings.push(warning('java-archive', `${p}: ${m}`, p));
      try {
        const seen = new Set<string>();
        for (const c of archiveCoords(f.content, basename(p), 0, { left: MAX_INFLATED }, warn)) {
          const name = c.group ? `${c.group}:${c.artifact}` : c.artifact;
          const key = `${name}@${c.version}`;
          if (seen.has(key)) continue;
          seen.add(key);
          const u = purl({ type: 'maven', namespace: c.group, name: c.artifact, version: c.version });
          packages.push(langPackage('java', 'Maven', name, c.version, u, p, c.licenses));
        }
      } catch (err) {
        warn(err instanceof Error ? err.message : String(err));
      }
    }
    return warnings.length > 0 ? { packages, warnings } : { packages };
  },
};
