import type { ParsedManifest } from '../image/manifest.js';
import { layerCompression, MediaType } from '../image/mediatypes.js';

const IMAGE_CONFIGS: ReadonlySet<string> = new Set([MediaType.OciConfig, MediaType.DockerConfig]);

export type ArtifactKind = 'image' | 'index' | 'artifact';

/**
 * Images are what the gates judge: a manifest whose config is an OCI or Docker image config.
 * Indexes are judged through their child manifests; signatures, SBOMs, attestations, Helm charts
 * and other OCI artifacts carry their own config or artifact type and are not images.
 */
export function artifactKind(parsed: ParsedManifest): ArtifactKind {
  if (parsed.kind === 'index') return 'index';
  const m = parsed.manifest;
  if (!IMAGE_CONFIGS.has(m.config.mediaType)) return 'artifact';
  // OCI 1.1 artifacts with an image config still name their type (e.g. cosign's attestations).
  if (m.artifactType !== undefined || m.subject !== undefined) return 'artifact';
  // cosign's `.sig` and `.att` manifests use the image config type with payload "layers".
  if (m.layers.length === 0 || m.layers.some((l) => layerCompression(l.mediaType) === undefined)) return 'artifact';
  return 'image';
}
