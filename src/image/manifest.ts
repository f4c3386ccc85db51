import { z } from 'zod';
import { isDigest } from './digest.js';
import { MediaType, isIndexMediaType } from './mediatypes.js';

/**
 * Parsing and structural validation of image manifests and indexes (OCI 1.1 and Docker v2
 * schema 2). Whether the referenced blobs exist is the registry's question, not this module's.
 */

const digestString = z.string().refine(isDigest, { message: 'not a valid sha256/sha512 digest' });

export const descriptorSchema = z
  .object({
    mediaType: z.string().min(1),
    digest: digestString,
    size: z.number().int().nonnegative(),
    urls: z.array(z.string()).optional(),
    annotations: z.record(z.string()).optional(),
    artifactType: z.string().optional(),
    platform: z
      .object({
        architecture: z.string(),
        os: z.string(),
        variant: z.string().optional(),
        'os.version': z.string().optional(),
        'os.features': z.array(z.string()).optional(),
        features: z.array(z.string()).optional(),
      })
      .optional(),
  })
  .passthrough();
export type Descriptor = z.infer<typeof descriptorSchema>;

const imageManifestSchema = z
  .object({
    schemaVersion: z.literal(2),
    mediaType: z.string().optional(),
    artifactType: z.string().optional(),
    config: descriptorSchema,
    layers: z.array(descriptorSchema),
    subject: descriptorSchema.optional(),
    annotations: z.record(z.string()).optional(),
  })
  .passthrough();
export type ImageManifest = z.infer<typeof imageManifestSchema>;

const indexSchema = z
  .object({
    schemaVersion: z.literal(2),
    mediaType: z.string().optional(),
    artifactType: z.string().optional(),
    manifests: z.array(descriptorSchema),
    subject: descriptorSchema.optional(),
    annotations: z.record(z.string()).optional(),
  })
  .passthrough();
export type ImageIndex = z.infer<typeof indexSchema>;

export type ParsedManifest =
  | { kind: 'manifest'; mediaType: string; manifest: ImageManifest }
  | { kind: 'index'; mediaType: string; manifest: ImageIndex };

export class ManifestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ManifestError';
  }
}

const IMAGE_TYPES = new Set<string>([MediaType.OciManifest, MediaType.DockerManifest]);
const INDEX_TYPES = new Set<string>([MediaType.OciIndex, MediaType.DockerManifestList]);

/** Strips parameters such as `; charset=utf-8` from a Content-Type value. */
export function baseMediaType(contentType: string | undefined): string | undefined {
  const base = contentType?.split(';')[0]?.trim().toLowerCase();
  return base ? base : undefined;
}

function describeIssues(err: z.ZodError): string {
  return err.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}

/**
 * Parses manifest bytes. The media type comes from the document's `mediaType` field, else the
 * Content-Type it was sent with, else its shape (umoci writes manifests without the field).
 */
export function parseManifest(bytes: Uint8Array, contentType?: string): ParsedManifest {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    throw new ManifestError('manifest is not valid JSON');
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new ManifestError('manifest must be a JSON object');
  const fields = doc as Record<string, unknown>;
  const declared = typeof fields.mediaType === 'string' ? fields.mediaType : undefined;
  const header = baseMediaType(contentType);
  if (fields.schemaVersion === 1) throw new ManifestError('Docker schema 1 manifests are not supported');
  if (declared && header && header !== declared && (IMAGE_TYPES.has(header) || INDEX_TYPES.has(header))) {
    throw new ManifestError(`mediaType ${declared} does not match Content-Type ${header}`);
  }
  let mediaType = declared ?? (header && (IMAGE_TYPES.has(header) || INDEX_TYPES.has(header)) ? header : undefined);
  if (!mediaType) {
    if (Array.isArray(fields.manifests)) mediaType = MediaType.OciIndex;
    else if (fields.config !== undefined) mediaType = MediaType.OciManifest;
    else throw new ManifestError('cannot tell the manifest type: no mediaType, Content-Type or recognisable shape');
  }
  if (IMAGE_TYPES.has(mediaType)) {
    const r = imageManifestSchema.safeParse(doc);
    if (!r.success) throw new ManifestError(`invalid image manifest: ${describeIssues(r.error)}`);
    return { kind: 'manifest', mediaType, manifest: r.data };
  }
  if (INDEX_TYPES.has(mediaType)) {
    const r = indexSchema.safeParse(doc);
    if (!r.success) throw new ManifestError(`invalid image index: ${describeIssues(r.error)}`);
    return { kind: 'index', mediaType, manifest: r.data };
  }
  throw new ManifestError(`unsupported manifest media type ${mediaType}`);
}

/** The artifact type the referrers API reports: artifactType, else config.mediaType for image manifests. */
export function effectiveArtifactType(parsed: ParsedManifest): string | undefined {
  if (parsed.manifest.artifactType) return parsed.manifest.artifactType;
  if (parsed.kind === 'manifest') return parsed.manifest.config.mediaType;
  return undefined;
}

/** Blobs a manifest needs in the repository (config and layers; foreign layers with URLs excepted). */
export function referencedBlobs(parsed: ParsedManifest): Descriptor[] {
  if (parsed.kind !== 'manifest') return [];
  const out: Descriptor[] = [parsed.manifest.config];
  for (const layer of parsed.manifest.layers) {
    if (layer.urls && layer.urls.length > 0) continue;
    out.push(layer);
  }
  return out;
}

export function childManifests(parsed: ParsedManifest): Descriptor[] {
  return parsed.kind === 'index' ? parsed.manifest.manifests : [];
}

export function isIndex(parsed: ParsedManifest): boolean {
  return isIndexMediaType(parsed.mediaType);
}
