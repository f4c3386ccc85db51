import type { Readable } from 'node:stream';
import type { Analyzer } from '../analysis/analyzer.js';
import { ANALYZERS } from '../analysis/analyzers/index.js';
import { analyzeLayer, analyzerIds, layerCacheKey, type FileVisitor } from '../analysis/engine/index.js';
import { createSecretVisitor } from '../analysis/secrets/index.js';
import type { LayerFacts } from '../analysis/types.js';
import { VirtualFs, type VfsEntry } from '../image/layers/vfs.js';
import type { PlacedFile } from '../scan/cache.js';
import type { StoredEntry } from './layer-store.js';

/**
 * What the scan pipeline runs over a stored image (src/scan: the image analyzers and the secret
 * visitor with its default rules), so the facts the job stores are exactly the ones scanImage
 * looks up under the same cache key.
 */
export function gateAnalyzers(): { analyzers: readonly Analyzer[]; visitors: FileVisitor[]; ids: string[] } {
  const visitors = [createSecretVisitor({})];
  return { analyzers: ANALYZERS, visitors, ids: analyzerIds(ANALYZERS, visitors) };
}

/** The analyzer ids are fixed for the life of the process: worked out once, not per layer per PUT. */
let gateIds: string[] | undefined;

export function gateLayerKey(digest: string): string {
  gateIds ??= gateAnalyzers().ids;
  return layerCacheKey(digest, gateIds);
}

/**
 * A VirtualFs stand-in that records what the layer walk applies to it, and optionally replays each
 * recorded entry into `view` as it comes (what finalFiles would do later for this layer alone).
 */
class RecordingFs extends VirtualFs {
  readonly entries: StoredEntry[] = [];

  constructor(public view?: VirtualFs) {
    super();
  }

  override apply(entry: VfsEntry): void {
    const e: StoredEntry = { path: entry.path, type: entry.type, size: entry.size, mode: entry.mode, uid: entry.uid, gid: entry.gid };
    if (entry.linkTarget !== undefined) e.linkTarget = entry.linkTarget;
    this.entries.push(e);
    try {
      this.view?.apply(e, 0);
    } catch {
      // Whatever the replay refuses, the push gate's own replay meets again: no view from here.
      this.view = undefined;
    }
  }
}

/**
 * One pass over a layer blob: packages, secrets (per layer, placed at assembly), and the entry
 * metadata. Runs on the calling thread but yields at every chunk and entry (the reader is
 * streaming and decompression is native), so the event loop keeps serving requests.
 */
export async function analyseLayerBlob(
  digest: string,
  stream: Readable,
  opts: { view?: boolean } = {},
): Promise<{ facts: LayerFacts; entries: StoredEntry[]; files?: PlacedFile[] }> {
  const { analyzers, visitors } = gateAnalyzers();
  const recorder = new RecordingFs(opts.view ? new VirtualFs() : undefined);
  const facts = await analyzeLayer(stream, { layerDigest: digest, analyzers, visitors, vfs: recorder });
  // `view`: the final filesystem of an image of this layer alone, built during the walk (the same as finalFiles([entries])).
  return recorder.view ? { facts, entries: recorder.entries, files: placedFiles(recorder.view) } : { facts, entries: recorder.entries };
}

/** Replays the layers' entries in order: the final filesystem as scan's finalFs cache holds it. */
export function finalFiles(layers: readonly StoredEntry[][]): PlacedFile[] {
  const vfs = new VirtualFs();
  layers.forEach((entries, i) => {
    for (const e of entries) vfs.apply(e, i);
  });
  return placedFiles(vfs);
}

function placedFiles(vfs: VirtualFs): PlacedFile[] {
  const files: PlacedFile[] = [];
  for (const [path, node] of vfs.walk()) {
    const f: PlacedFile = { path, type: node.type, mode: node.mode, uid: node.uid, gid: node.gid, layerIndex: node.layerIndex };
    if (node.linkTarget !== undefined) f.linkTarget = node.linkTarget;
    files.push(f);
  }
  return files;
}
