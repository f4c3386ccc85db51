import { mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import pino, { type Logger } from 'pino';
import type { ServerConfig } from '../config/schema.js';
import { createMetadataStore } from '../metadata/index.js';
import type { MetadataStore } from '../metadata/store.js';
import { Registry } from '../registry/registry.js';
import { createBlobStore } from '../storage/index.js';
import type { BlobStore } from '../storage/blobstore.js';
import { buildApp, type App } from './app.js';
import { ServerMetrics } from './metrics.js';
import { checkListenSecurity, splitAddr } from './listen.js';

export interface RunningServer {
  url: string;
  app: App;
  registry: Registry;
  logger: Logger;
  close(): Promise<void>;
}

/** Opens storage and metadata as configured (embedded defaults under dataDir). */
export async function openStores(config: ServerConfig): Promise<{ blobs: BlobStore; meta: MetadataStore }> {
  const dataDir = resolve(config.dataDir);
  await mkdir(dataDir, { recursive: true });
  const blobs = await createBlobStore(config.storage ?? { driver: 'filesystem', path: join(dataDir, 'blobs') });
  const meta = await createMetadataStore(config.metadata ?? { driver: 'sqlite', path: join(dataDir, 'metadata.db') });
  await meta.migrate();
  return { blobs, meta };
}

/** Starts the registry server and returns once it listens. */
export async function startServer(config: ServerConfig, opts: { logger?: Logger } = {}): Promise<RunningServer> {
  checkListenSecurity(config.addr, config.tls !== undefined, config.insecure);
  const logger = opts.logger ?? pino({ level: config.log.level, redact: ['req.headers.authorization', '*.password', '*.secret'] });
  const { blobs, meta } = await openStores(config);
  // A crash may have left half-written files; they are never visible, but they take space.
  await blobs.cleanup();
  const metrics = new ServerMetrics();
  const registry = new Registry({ blobs, meta, maxManifestBytes: config.limits.maxManifestBytes, hooks: metrics.registryHooks() });
  const https = config.tls ? { cert: await readFile(config.tls.cert), key: await readFile(config.tls.key) } : undefined;
  const app = await buildApp({
    registry,
    metrics,
    logger,
    ...(https ? { https } : {}),
    ready: async () => {
      await meta.getRepository('readyz-probe');
      return true;
    },
  });

  const expireUploads = async () => {
    try {
      const n = await registry.uploads.expire(new Date(Date.now() - config.uploads.expireAfter * 1000));
      if (n > 0) logger.info({ expired: n }, 'removed abandoned uploads');
      // Drivers keep fresh temporary files for a grace period (other processes may own them),
      // so leftovers of a crash go on a later sweep rather than at start.
      await blobs.cleanup();
    } catch (err) {
      logger.warn({ err }, 'upload expiry failed');
    }
  };
  await expireUploads();
  const sweeper = setInterval(() => void expireUploads(), Math.max(1, config.uploads.sweepInterval) * 1000);
  sweeper.unref();

  const { host, port } = splitAddr(config.addr);
  await app.app.listen({ host, port });
  const bound = app.app.server.address();
  const actualPort = bound && typeof bound === 'object' ? bound.port : port;
  const url = `${https ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${actualPort}`;
  logger.info({ url, dataDir: resolve(config.dataDir), storage: blobs.kind, metadata: meta.dialect }, 'portcullis listening');

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      clearInterval(sweeper);
      app.drain();
      const grace = setTimeout(() => app.app.server.closeAllConnections(), config.shutdownGrace * 1000);
      grace.unref();
      await app.app.close();
      clearTimeout(grace);
      await blobs.close();
      await meta.close();
      logger.info('portcullis stopped');
    })();
    return closing;
  };
  return { url, app, registry, logger, close };
}
