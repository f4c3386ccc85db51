import { z } from 'zod';

/**
 * The image configuration (OCI image config / Docker container config) with the fields the
 * checks use. Parsing is lenient about unknown fields and strict about the types of known ones.
 */

const stringArray = z.array(z.string());
const nullable = <T extends z.ZodTypeAny>(t: T) => t.nullish().transform((v) => v ?? undefined);

const healthcheckSchema = z
  .object({
    Test: nullable(stringArray),
    Interval: nullable(z.number()),
    Timeout: nullable(z.number()),
    StartPeriod: nullable(z.number()),
    StartInterval: nullable(z.number()),
    Retries: nullable(z.number()),
  })
  .passthrough();

const runConfigSchema = z
  .object({
    User: nullable(z.string()),
    Env: nullable(stringArray),
    Entrypoint: nullable(stringArray),
    Cmd: nullable(stringArray),
    WorkingDir: nullable(z.string()),
    ExposedPorts: nullable(z.record(z.unknown())),
    Volumes: nullable(z.record(z.unknown())),
    Labels: nullable(z.record(z.string())),
    StopSignal: nullable(z.string()),
    Healthcheck: nullable(healthcheckSchema),
    Shell: nullable(stringArray),
    OnBuild: nullable(stringArray),
  })
  .passthrough();

const historySchema = z
  .object({
    created: nullable(z.string()),
    created_by: nullable(z.string()),
    author: nullable(z.string()),
    comment: nullable(z.string()),
    empty_layer: nullable(z.boolean()),
  })
  .passthrough();

const imageConfigSchema = z
  .object({
    created: nullable(z.string()),
    author: nullable(z.string()),
    architecture: nullable(z.string()),
    os: nullable(z.string()),
    variant: nullable(z.string()),
    'os.version': nullable(z.string()),
    config: nullable(runConfigSchema),
    rootfs: nullable(z.object({ type: z.string(), diff_ids: stringArray }).passthrough()),
    history: nullable(z.array(historySchema)),
  })
  .passthrough();

export type ImageConfig = z.infer<typeof imageConfigSchema>;
export type RunConfig = z.infer<typeof runConfigSchema>;
export type HistoryEntry = z.infer<typeof historySchema>;
export type Healthcheck = z.infer<typeof healthcheckSchema>;

export class ImageConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImageConfigError';
  }
}

export function parseImageConfig(bytes: Uint8Array): ImageConfig {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    throw new ImageConfigError('image config is not valid JSON');
  }
  const r = imageConfigSchema.safeParse(doc);
  if (!r.success) {
    const issues = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new ImageConfigError(`invalid image config: ${issues}`);
  }
  return r.data;
}

/** Env as a map (later duplicates win, as in Docker). Values may be secrets: never log them. */
export function envMap(config: ImageConfig): Map<string, string> {
  const out = new Map<string, string>();
  for (const kv of config.config?.Env ?? []) {
    const i = kv.indexOf('=');
    if (i < 0) out.set(kv, '');
    else out.set(kv.slice(0, i), kv.slice(i + 1));
  }
  return out;
}

/** "os/arch[/variant]" of the config, e.g. "linux/amd64". */
export function configPlatform(config: ImageConfig): string {
  return [config.os ?? 'unknown', config.architecture ?? 'unknown', config.variant].filter(Boolean).join('/');
}
