/** Where the metadata lives: an embedded SQLite file, or a PostgreSQL server (scale-out). */
import { z } from 'zod';

export const sqliteMetadataConfigSchema = z
  .object({
    driver: z.literal('sqlite'),
    /** Database file (created if missing); `:memory:` for a throwaway database. */
    path: z.string().min(1, 'path of the SQLite file is required'),
    /** How long a writer waits for another process's write lock before failing (ms). */
    busyTimeoutMs: z.number().int().min(0).max(600_000).default(5_000),
  })
  .strict();

export const postgresMetadataConfigSchema = z
  .object({
    driver: z.literal('postgres'),
    /** postgres://user:password@host:port/database?sslmode=...; fields below override parts of it. */
    url: z.string().min(1).optional(),
    host: z.string().min(1).optional(),
    port: z.number().int().min(1).max(65_535).optional(),
    user: z.string().min(1).optional(),
    password: z.string().optional(),
    database: z.string().min(1).optional(),
    /** true: TLS with certificate verification; or node tls options' common subset. */
    ssl: z
      .union([
        z.boolean(),
        z
          .object({
            rejectUnauthorized: z.boolean().default(true),
            /** PEM of the CA that signed the server's certificate. */
            ca: z.string().optional(),
          })
          .strict(),
      ])
      .optional(),
    /** Connections per process. */
    poolSize: z.number().int().min(1).max(1_000).default(10),
    /** Per-statement timeout (ms); 0 disables. */
    statementTimeoutMs: z.number().int().min(0).default(30_000),
  })
  .strict();

export const metadataConfigSchema = z
  .discriminatedUnion('driver', [sqliteMetadataConfigSchema, postgresMetadataConfigSchema])
  .superRefine((c, ctx) => {
    if (c.driver === 'postgres' && c.url === undefined && c.host === undefined) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['url'], message: 'give either url or host' });
    }
  });

export type SqliteMetadataConfig = z.input<typeof sqliteMetadataConfigSchema>;
export type PostgresMetadataConfig = z.input<typeof postgresMetadataConfigSchema>;
/** What callers pass (defaults optional). */
export type MetadataConfig = z.input<typeof metadataConfigSchema>;
