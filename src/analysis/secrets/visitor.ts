import { createHash } from 'node:crypto';
import type { FileMeta } from '../analyzer.js';
import type { FileVisitor } from '../engine/types.js';
import { scannerFromConfig, type SecretConfig } from './config.js';
import { defaultSecretScanner } from './image.js';
import type { SecretScanner } from './scanner.js';
import type { SecretFinding } from './types.js';

export const SECRET_VISITOR_NAME = 'secrets';

/** What the visitor stores per layer (in `LayerFacts.extra.secrets`): layer-relative, so cacheable by digest. */
export interface LayerSecrets {
  findings: SecretFinding[];
}

export interface SecretVisitorOptions {
  /** A parsed portcullis-secret.yaml (plain data, so it can be handed to a worker thread). */
  config?: SecretConfig;
}

/**
 * The version is derived from the rules and allow lists, so a rule change (or a different
 * config) changes the layer-cache key and no stale result is served.
 */
function rulesVersion(scanner: SecretScanner, config: SecretConfig | undefined): number {
  const h = createHash('sha256').update(JSON.stringify({ rules: scanner.rules, config: config ?? null, max: scanner.maxFileSize }));
  return parseInt(h.digest('hex').slice(0, 7), 16);
}

/**
 * A FileVisitor for the analysis engine: scans every regular file of every layer (deleted ones
 * too) in the engine's single pass. Findings carry no layer index here (the same layer can sit at
 * different positions in different images); `placeLayerSecrets` adds it per image.
 */
export function createSecretVisitor(options: SecretVisitorOptions = {}): FileVisitor {
  const scanner = options.config ? scannerFromConfig(options.config) : defaultSecretScanner();
  let current: SecretFinding[] = [];
  return {
    name: SECRET_VISITOR_NAME,
    version: rulesVersion(scanner, options.config),
    maxFileSize: scanner.maxFileSize,
    wants: (meta: FileMeta) => scanner.skipBeforeRead(meta.path, meta.size) === undefined,
    visit(meta: FileMeta, content: Buffer) {
      for (const m of scanner.scanFile(meta.path, content).matches) {
        current.push({
          ruleId: m.rule.id,
          category: m.rule.category,
          title: m.rule.title,
          severity: m.rule.severity,
          location: { kind: 'layer-file', path: meta.path, line: m.line },
          match: m.masked,
        });
      }
    },
    collect(): LayerSecrets {
      const out = { findings: current };
      current = [];
      return out;
    },
  };
}

/** The parts of LayerFacts that placement reads. */
export interface LayerSecretFacts {
  layerDigest: string;
  whiteouts: readonly string[];
  opaqueDirs: readonly string[];
  extra?: Record<string, unknown>;
}

function under(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir === '/' ? '/' : `${dir}/`);
}

/**
 * Image-level secret findings from the per-layer visitor results, in layer order: adds the layer
 * index and digest, and whether the file is still in the final filesystem. `finalLayerOf` (from the
 * assembled filesystem: the layer that last wrote a path) also catches files replaced by a later
 * layer; without it only whiteouts and opaque directories count as removals.
 */
export function placeLayerSecrets(
  layers: readonly LayerSecretFacts[],
  finalLayerOf?: (path: string) => number | undefined,
): SecretFinding[] {
  const out: SecretFinding[] = [];
  layers.forEach((layer, layerIndex) => {
    const stored = layer.extra?.[SECRET_VISITOR_NAME] as LayerSecrets | undefined;
    for (const f of stored?.findings ?? []) {
      const path = f.location.path ?? '';
      const removedInLayer = layers.findIndex(
        (l, j) => j > layerIndex && (l.whiteouts.some((w) => under(path, w)) || l.opaqueDirs.some((d) => path !== d && under(path, d))),
      );
      const inFinalFs = finalLayerOf ? finalLayerOf(path) === layerIndex : removedInLayer === -1;
      const placed: SecretFinding = {
        ...f,
        location: { ...f.location, layerIndex, layerDigest: layer.layerDigest, inFinalFs },
      };
      if (!inFinalFs) {
        if (removedInLayer !== -1) placed.location.removedInLayer = removedInLayer;
        placed.note =
          removedInLayer !== -1
            ? `removed in layer ${removedInLayer}, still in the image (layer ${layerIndex})`
            : `replaced by a later layer, still in the image (layer ${layerIndex})`;
      }
      out.push(placed);
    }
  });
  return out;
}
