import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { ALL_ANALYZERS, ANALYZERS } from '../analysis/analyzers/index.js';
import { lintDockerfile } from '../analysis/dockerfile/index.js';
import type { MisconfigFinding } from '../analysis/misconfig/index.js';
import { openRootfs } from '../image/sources/rootfs.js';
import { computeTotals } from './totals.js';
import { applyFilters } from './filters.js';
import { scanImage, type ScanOptions } from './image.js';
import { SCANNERS, type ScanReport } from './types.js';

/** An unpacked root filesystem (an image's tree on disk): the image analyzers, secrets, file checks. */
export async function scanRootfs(dir: string, opts: ScanOptions = {}): Promise<ScanReport> {
  const source = await openRootfs(dir);
  try {
    return await scanImage(source, { analyzers: ANALYZERS, artifactType: 'rootfs', artifactName: dir, ...opts });
  } finally {
    await source.close();
  }
}

const DOCKERFILE = /^(Dockerfile|Containerfile)(\..+)?$|\.(Dockerfile|Containerfile)$/i;
const SKIP_DIRS = new Set(['.git', 'node_modules', '.venv', 'vendor', 'target']);
const MAX_DEPTH = 6;
const MAX_DOCKERFILE_BYTES = 1024 * 1024;

async function findDockerfiles(root: string, dir = root, depth = 0, out: string[] = []): Promise<string[]> {
  if (depth > MAX_DEPTH) return out;
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = join(dir, e.name);
    if (e.isDirectory() && !SKIP_DIRS.has(e.name)) await findDockerfiles(root, p, depth + 1, out);
    else if (e.isFile() && DOCKERFILE.test(e.name)) out.push(p);
  }
  return out;
}

/**
 * A project directory: lock files and manifests too (all analyzers), secrets in every file, and
 * for misconfiguration the Dockerfile lint of every Dockerfile in the tree (image-level checks
 * such as setuid files mean nothing for a source tree).
 */
export async function scanFs(dir: string, opts: ScanOptions = {}): Promise<ScanReport> {
  const scanners = opts.scanners ?? SCANNERS;
  const source = await openRootfs(dir);
  let report: ScanReport;
  try {
    const { filters, ...rest } = opts;
    report = await scanImage(source, {
      analyzers: ALL_ANALYZERS,
      artifactType: 'filesystem',
      artifactName: dir,
      ...rest,
      scanners: scanners.filter((s) => s !== 'misconfig'),
    });
    if (scanners.includes('misconfig')) {
      const lint: MisconfigFinding[] = [];
      for (const file of await findDockerfiles(dir)) {
        const st = await stat(file);
        if (st.size > MAX_DOCKERFILE_BYTES) continue;
        lint.push(...lintDockerfile(await readFile(file, 'utf8'), { path: relative(dir, file) }));
      }
      const misconfigurations = [...report.misconfigurations, ...lint];
      report = { ...report, scanners: [...report.scanners, 'misconfig'], misconfigurations, totals: computeTotals({ ...report, misconfigurations }) };
    }
    return filters ? applyFilters(report, filters) : report;
  } finally {
    await source.close();
  }
}
