import { createReadStream, readFileSync } from 'node:fs';
import { readLayer } from '../../../image/layers/index.js';
import { corpusPath } from '../../../testing/corpus.js';
import type { Analyzer, AnalyzerInput } from '../../analyzer.js';
import type { OsInfo, Package, Warning } from '../../types.js';

/** Analyzers that need all of a layer's wanted files together; the rest run file by file. */
const PER_LAYER = new Set(['os-release', 'dpkg', 'apk', 'rpm']);

export interface ImageResult {
  os?: OsInfo;
  packages: Package[];
  owners: Record<string, string>;
  warnings: Warning[];
}

const within = (p: string, dir: string) => dir === '/' || p === dir || p.startsWith(`${dir}/`);

/**
 * Test-only image walk over a corpus tag (the real engine belongs to src/analysis/engine):
 * each layer once, analyzers as the contract says, later layers replacing earlier facts per path,
 * whiteouts deleting them.
 */
export async function analyzeCorpusImage(tag: string, analyzers: Analyzer[]): Promise<ImageResult> {
  const blob = (d: string) => corpusPath('images/oci/blobs/sha256', d.replace(/^sha256:/, ''));
  const index = JSON.parse(readFileSync(corpusPath('images/oci/index.json'), 'utf8')) as {
    manifests: { digest: string; annotations?: Record<string, string> }[];
  };
  const desc = index.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === tag);
  if (!desc) throw new Error(`no tag ${tag}`);
  const manifest = JSON.parse(readFileSync(blob(desc.digest), 'utf8')) as { layers: { digest: string }[] };
  let os: OsInfo | undefined;
  const byPath = new Map<string, Package[]>();
  const owners: Record<string, string> = {};
  const warnings: Warning[] = [];
  for (const layer of manifest.layers) {
    const batch = new Map<Analyzer, AnalyzerInput['files']>();
    const layerPkgs: Package[] = [];
    const collect = (pkgs: Package[] | undefined) => layerPkgs.push(...(pkgs ?? []));
    for await (const e of readLayer(createReadStream(blob(layer.digest)), { compression: 'auto' })) {
      if (e.type === 'whiteout' || e.type === 'opaque') {
        for (const p of [...byPath.keys()]) if (within(p, e.path) && !(e.type === 'opaque' && p === e.path)) byPath.delete(p);
        continue;
      }
      if (e.type !== 'file') continue;
      const meta = { path: e.path, size: e.size, mode: e.mode | 0o100000 };
      const wanted = analyzers.filter((a) => a.wants(meta) && e.size <= (a.maxFileSize ?? Infinity));
      if (wanted.length === 0) continue;
      const content = await e.read();
      for (const a of wanted) {
        if (PER_LAYER.has(a.name)) batch.set(a, [...(batch.get(a) ?? []), { meta, content }]);
        else {
          const out = a.analyze({ files: [{ meta, content }] });
          collect(out.packages);
          warnings.push(...(out.warnings ?? []));
        }
      }
    }
    for (const a of analyzers) {
      const files = batch.get(a);
      if (!files) continue;
      const out = a.analyze(os ? { files, os } : { files });
      if (out.os) os = out.os;
      collect(out.packages);
      Object.assign(owners, out.fileOwners ?? {});
      warnings.push(...(out.warnings ?? []));
    }
    const fresh = new Map<string, Package[]>();
    for (const p of layerPkgs) fresh.set(p.path, [...(fresh.get(p.path) ?? []), p]);
    for (const [p, pkgs] of fresh) byPath.set(p, pkgs);
  }
  return { ...(os ? { os } : {}), packages: [...byPath.values()].flat(), owners, warnings };
}
