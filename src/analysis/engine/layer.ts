import type { Readable } from 'node:stream';
import { readLayer, LayerFormatError, LayerLimitError, type LayerCompression, type LayerLimits } from '../../image/layers/index.js';
import type { VirtualFs } from '../../image/layers/vfs.js';
import { layerCompression } from '../../image/mediatypes.js';
import type { Analyzer, FileMeta } from '../analyzer.js';
import type { LayerFacts, OsInfo, Package, Warning } from '../types.js';
import { analyzerIds } from './cache.js';
import type { FileVisitor } from './types.js';

const DEFAULT_ANALYZER_MAX = 64 * 1024 * 1024;
const EMPTY = Buffer.alloc(0);

export interface AnalyzeLayerOptions {
  layerDigest: string;
  /** Media type of the blob (tells the compression); 'auto' sniffing when absent or unknown. */
  mediaType?: string;
  layerIndex?: number;
  analyzers: readonly Analyzer[];
  visitors?: readonly FileVisitor[];
  limits?: Partial<LayerLimits>;
  /** Final-filesystem view to apply this layer's entries to (metadata only). */
  vfs?: VirtualFs;
}

/**
 * One streaming pass over a layer: each file is offered to every analyzer and visitor by
 * metadata, read once if anyone wants it, and the analyzers run on their files at the end.
 * Corrupt layers and hit bounds become warnings in the facts; a digest mismatch is thrown.
 */
export async function analyzeLayer(stream: Readable, opts: AnalyzeLayerOptions): Promise<LayerFacts> {
  const digest = opts.layerDigest;
  const layerIndex = opts.layerIndex ?? 0;
  const visitors = opts.visitors ?? [];
  const compression: LayerCompression = (opts.mediaType && layerCompression(opts.mediaType)) || 'auto';
  const reader = readLayer(stream, { compression, ...(opts.limits ? { limits: opts.limits } : {}) });
  const files = new Map<Analyzer, { meta: FileMeta; content: Buffer }[]>();
  const warnings: Warning[] = [];
  const whiteouts: string[] = [];
  const opaqueDirs: string[] = [];
  const analyzedPaths = new Set<string>();
  try {
    for await (const entry of reader) {
      opts.vfs?.apply(entry, layerIndex);
      if (entry.type !== 'file') {
        if (entry.type === 'whiteout') whiteouts.push(entry.path);
        else if (entry.type === 'opaque') opaqueDirs.push(entry.path);
        continue;
      }
      const meta: FileMeta = { path: entry.path, size: entry.size, mode: entry.mode };
      // Most files interest nobody: find that out without allocating anything.
      let wanted: Analyzer[] | undefined;
      let visiting: FileVisitor[] | undefined;
      for (const a of opts.analyzers) if (a.wants(meta)) (wanted ??= []).push(a);
      for (const v of visitors) if (v.wants(meta)) (visiting ??= []).push(v);
      if (!wanted && !visiting) continue;
      let fitting: Analyzer[] | undefined;
      let need = 0;
      if (wanted) {
        analyzedPaths.add(meta.path);
        for (const a of wanted) {
          const max = a.maxFileSize ?? DEFAULT_ANALYZER_MAX;
          if (meta.size <= max) (fitting ??= []).push(a);
          else warnings.push({ code: 'file-too-large', message: `${a.name}: skipped ${meta.size} bytes (limit ${max})`, path: meta.path, layerDigest: digest });
        }
        if (fitting) need = meta.size;
      }
      if (visiting) for (const v of visiting) need = Math.max(need, Math.min(meta.size, v.maxFileSize ?? meta.size));
      // Files only prefiltered analyzers want (every executable, for Go and Rust build info) are
      // looked at in the pieces they arrived in, and joined only if one of them keeps the file.
      const piecewise = !visiting && entry.readChunks !== undefined && fitting !== undefined && fitting.every((a) => a.keep !== undefined);
      let parts: Buffer[] | undefined;
      let content: Buffer;
      try {
        if (piecewise) parts = await entry.readChunks!(need);
        content = parts ? EMPTY : await entry.read(need);
      } catch (err) {
        if (err instanceof LayerLimitError) break;
        throw err;
      }
      if (fitting) {
        let kept: Buffer | undefined;
        for (const a of fitting) {
          if (a.keep && !a.keep(meta, parts ?? [content])) continue;
          if (!kept) {
            if (parts) content = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
            // Held to the end of the layer: a small file must not pin the whole chunk it sits in.
            kept = content.buffer.byteLength > 2 * content.length + 8192 ? Buffer.from(content) : content;
          }
          let list = files.get(a);
          if (!list) files.set(a, (list = []));
          list.push({ meta, content: kept });
        }
      }
      if (visiting) {
        for (const v of visiting) {
          try {
            v.visit(meta, v.maxFileSize !== undefined ? content.subarray(0, v.maxFileSize) : content, layerIndex, digest);
          } catch (err) {
            warnings.push({ code: 'visitor-failed', message: `${v.name}: ${(err as Error).message}`, path: meta.path, layerDigest: digest });
          }
        }
      }
    }
  } catch (err) {
    if (!(err instanceof LayerFormatError)) throw err;
    warnings.push({ code: `layer-${err.code}`, message: err.message, layerDigest: digest });
  }
  for (const w of reader.warnings) warnings.push({ ...w, layerDigest: digest });

  const facts: LayerFacts = {
    layerDigest: digest,
    analyzers: analyzerIds(opts.analyzers, visitors),
    packages: [],
    whiteouts,
    opaqueDirs,
    warnings,
    analyzedPaths: [...analyzedPaths].sort(),
  };
  runAnalyzers(opts.analyzers, files, facts);
  const extra: Record<string, unknown> = {};
  for (const v of visitors) if (v.collect) extra[v.name] = v.collect(digest);
  if (Object.keys(extra).length > 0) facts.extra = extra;
  return facts;
}

/** Runs analyzers in list order; an OS found by one is handed to the next (os-release comes first). */
function runAnalyzers(analyzers: readonly Analyzer[], files: Map<Analyzer, { meta: FileMeta; content: Buffer }[]>, facts: LayerFacts): void {
  let os: OsInfo | undefined;
  // The first analyzer's map is adopted rather than copied (dpkg's holds every file of the image).
  let owners: Record<string, string> | undefined;
  const packages: Package[] = [];
  for (const a of analyzers) {
    const input = files.get(a);
    if (!input || input.length === 0) continue;
    try {
      const out = a.analyze(os ? { files: input, os } : { files: input });
      if (out.os) os = out.os;
      if (out.packages) for (const p of out.packages) packages.push({ ...p, layerDigest: facts.layerDigest });
      if (out.fileOwners) owners = owners ? Object.assign(owners, out.fileOwners) : out.fileOwners;
      for (const w of out.warnings ?? []) facts.warnings.push({ ...w, layerDigest: facts.layerDigest });
    } catch (err) {
      // An analyzer bug or a database it cannot read costs its facts, not the scan.
      facts.warnings.push({ code: 'analyzer-failed', message: `${a.name}: ${(err as Error).message}`, layerDigest: facts.layerDigest });
    }
  }
  facts.packages = packages;
  if (os) facts.os = os;
  if (owners) facts.fileOwners = owners;
}
