import { z } from 'zod';
import { metadataConfigSchema } from '../metadata/config.js';
import { storageConfigSchema } from '../storage/index.js';
import { sinkConfigSchema } from '../audit/sinks/index.js';

const hostPort = z
  .string()
  .regex(/^(\[[0-9a-fA-F:.]+\]|[^:\s]+):\d{1,5}$/, 'expected HOST:PORT, e.g. 127.0.0.1:5000');

/** Durations in configuration: seconds as a number, or "90s", "15m", "24h", "7d". */
export const durationSeconds = z.union([
  z.number().nonnegative(),
  z
    .string()
    .regex(/^\d+(\.\d+)?(ms|s|m|h|d)$/, 'expected a duration like 30s, 15m, 24h or 7d')
    .transform((v) => {
      const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(v)!;
      const unit = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 }[m[2] as 'ms' | 's' | 'm' | 'h' | 'd'];
      return Number(m[1]) * unit;
    }),
]);

export const serverConfigSchema = z
  .object({
    addr: hostPort.default('127.0.0.1:5000'),
    dataDir: z.string().min(1).default('./portcullis-data'),
    /** Listen without TLS on a non-loopback address (never the default). */
    insecure: z.boolean().default(false),
    tls: z.object({ cert: z.string().min(1), key: z.string().min(1) }).strict().optional(),
    /** Default: filesystem under <dataDir>/blobs. */
    storage: storageConfigSchema.optional(),
    /** Default: SQLite at <dataDir>/metadata.db. */
    metadata: metadataConfigSchema.optional(),
    log: z
      .object({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') })
      .strict()
      .default({}),
    uploads: z
      .object({
        /** Uploads untouched for this long are removed. */
        expireAfter: durationSeconds.default(24 * 3600),
        sweepInterval: durationSeconds.default(600),
      })
      .strict()
      .default({}),
    limits: z
      .object({
        maxManifestBytes: z.number().int().min(1024).max(64 * 1024 * 1024).default(4 * 1024 * 1024),
      })
      .strict()
      .default({}),
    auth: z
      .object({
        /** false: the /v2 API needs no credentials (refused beyond loopback). The management API always does. */
        enabled: z.boolean().default(true),
        /** Absolute token endpoint URL in challenges; default: derived from each request's Host. */
        realm: z.string().url().optional(),
        service: z.string().min(1).default('portcullis'),
        issuer: z.string().min(1).default('portcullis'),
        accessTokenTtl: durationSeconds.optional(),
        refreshTokenTtl: durationSeconds.optional(),
        lockout: z
          .object({
            maxAccountFailures: z.number().int().min(1).optional(),
            maxSourceFailures: z.number().int().min(1).optional(),
            windowMs: z.number().int().min(1000).optional(),
            lockoutMs: z.number().int().min(1000).optional(),
          })
          .strict()
          .optional(),
      })
      .strict()
      .default({}),
    audit: z
      .object({
        /** Copies of every event beyond the database chain: JSON lines files, syslog, webhooks. */
        sinks: z.array(sinkConfigSchema).default([]),
        /** A signed checkpoint every N events. */
        checkpointEvery: z.number().int().min(1).default(100),
        /** Record every manifest pull (the evidence trail); off only for benchmarks. */
        pulls: z.boolean().default(true),
      })
      .strict()
      .default({}),
    gc: z
      .object({
        /** How often unreferenced blobs are collected (0 disables the schedule). */
        interval: durationSeconds.default(3600),
        /** Nothing younger than this is collected: it must exceed the longest upload commit. */
        grace: durationSeconds.default(3600),
      })
      .strict()
      .default({}),
    retention: z
      .object({
        /** How often the retention policies run (0 disables the schedule). */
        interval: durationSeconds.default(3600),
      })
      .strict()
      .default({}),
    policy: z
      .object({
        /** The system default policy (a policy document, validated at start). */
        default: z.unknown().optional(),
      })
      .strict()
      .default({}),
    gates: z
      .object({
        /** Analyse layers as they arrive and gate pushes and pulls by the projects' policies. */
        enabled: z.boolean().default(true),
        /** Longest wait at manifest PUT for layer analyses still running (then the rest is read during the PUT). */
        waitForAnalysis: durationSeconds.default(30),
        /** Layer analyses run at once by this process. */
        analysisConcurrency: z.number().int().min(1).max(64).default(2),
        /** Layers analysed while their upload streams in, at once (0: only after upload, by the job queue). */
        streamingAnalyses: z.number().int().min(0).max(64).default(4),
        /** Directory of the vulnerability DB (default: PORTCULLIS_CACHE_DIR or ~/.cache/portcullis, as the CLI). */
        cacheDir: z.string().min(1).optional(),
        /** Re-match every stored artifact when the vulnerability DB changes (run it on one process at scale). */
        reevaluate: z.boolean().default(true),
        /** How often the vulnerability DB is checked for changes. */
        reevaluateInterval: durationSeconds.default(60),
      })
      .strict()
      .default({}),
    /** Seconds to let in-flight requests finish on shutdown. */
    shutdownGrace: durationSeconds.default(25),
  })
  .strict();

export type ServerConfig = z.output<typeof serverConfigSchema>;
export type ServerConfigInput = z.input<typeof serverConfigSchema>;
