import { mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import pino, { type Logger } from 'pino';
import type { ServerConfig } from '../config/schema.js';
import { createMetadataStore, type KyselyMetadataStore } from '../metadata/index.js';
import { Registry } from '../registry/registry.js';
import { startGcSchedule } from '../registry/gc.js';
import { startRetentionSchedule } from '../registry/retention.js';
import { createBlobStore } from '../storage/index.js';
import type { BlobStore } from '../storage/blobstore.js';
import { buildApp, type App } from './app.js';
import { ServerMetrics } from './metrics.js';
import { createNotifications } from './notifications.js';
import { checkListenSecurity, isLoopback, listenWarning, splitAddr } from './listen.js';
import { createPolicyServices, policyFromConfig } from '../policy/index.js';
import { apiRoutes } from './api/index.js';
import { openAccess, type V2EventRecorder } from './distribution/access.js';
import { recordRequestEvent } from './auth/audit-request.js';
import { tokenRoutes } from './auth/routes.js';
import { createSecurity, type Security } from './auth/setup.js';
import { Gates, bindGatesApi, combineHooks } from '../gates/index.js';

export interface RunningServer {
  url: string;
  app: App;
  registry: Registry;
  security: Security;
  logger: Logger;
  close(): Promise<void>;
}

/** Opens storage and metadata as configured (embedded defaults under dataDir). */
export async function openStores(config: ServerConfig): Promise<{ blobs: BlobStore; meta: KyselyMetadataStore }> {
  const dataDir = resolve(config.dataDir);
  await mkdir(dataDir, { recursive: true });
  const blobs = await createBlobStore(config.storage ?? { driver: 'filesystem', path: join(dataDir, 'blobs') });
  const meta = await createMetadataStore(config.metadata ?? { driver: 'sqlite', path: join(dataDir, 'metadata.db') });
  await meta.migrate();
  return { blobs, meta };
}

/** Starts the registry server and returns once it listens. */
export async function startServer(config: ServerConfig, opts: { logger?: Logger; adminPassword?: string } = {}): Promise<RunningServer> {
  checkListenSecurity(config.addr, config.tls !== undefined, config.insecure);
  if (!config.auth.enabled && !isLoopback(splitAddr(config.addr).host)) {
    throw new Error(`refusing to serve ${config.addr} with auth.enabled=false: an open registry is only allowed on loopback`);
  }
  const logger = opts.logger ?? pino({ level: config.log.level, redact: ['req.headers.authorization', '*.password', '*.secret'] });
  const warning = listenWarning(config.addr, config.tls !== undefined, config.insecure);
  if (warning) logger.warn(warning);
  const systemPolicy = policyFromConfig(config.policy.default);
  const { blobs, meta } = await openStores(config);
  // A crash may have left half-written files; they are never visible, but they take space.
  await blobs.cleanup();
  const metrics = new ServerMetrics();
  const security = await createSecurity({
    db: meta.database.db,
    dataDir: resolve(config.dataDir),
    service: config.auth.service,
    issuer: config.auth.issuer,
    ...(config.auth.realm ? { realm: config.auth.realm } : {}),
    ...(config.auth.accessTokenTtl ? { accessTokenTtlSeconds: config.auth.accessTokenTtl } : {}),
    ...(config.auth.refreshTokenTtl ? { refreshTokenTtlSeconds: config.auth.refreshTokenTtl } : {}),
    ...(config.auth.lockout ? { lockout: config.auth.lockout } : {}),
    audit: { sinks: config.audit.sinks, checkpointEvery: config.audit.checkpointEvery },
    ...(opts.adminPassword ? { adminPassword: opts.adminPassword } : {}),
    onSinkError: (sink, err) => logger.warn({ sink, err }, 'audit sink failed'),
  });
  if (security.initialAdmin?.generated) {
    // Printed once, to the terminal only: never through the logger, whose lines may be shipped elsewhere.
    const { name, password } = security.initialAdmin;
    process.stderr.write(`\nCreated the first administrator "${name}" with password:\n\n    ${password}\n\nIt is shown only this once. Change it with the management API.\n\n`);
  } else if (security.initialAdmin) {
    logger.info({ user: security.initialAdmin.name }, 'created the first administrator with the password from PORTCULLIS_ADMIN_PASSWORD');
  }
  const policy = createPolicyServices(meta.database.db, systemPolicy);
  const notifications = await createNotifications({
    config,
    db: meta.database.db,
    dialect: meta.dialect,
    dataDir: resolve(config.dataDir),
    logger,
    audit: security.audit,
    identity: security.auth.identity,
    policies: policy.policies,
  });
  const gates = new Gates({
    ...notifications.gateListeners,
    db: meta.database.db,
    dialect: meta.dialect,
    blobs,
    policies: policy.policies,
    trustedKeys: policy.trustedKeys,
    identity: security.auth.identity,
    audit: security.audit,
    enabled: config.gates.enabled,
    waitForAnalysisMs: config.gates.waitForAnalysis * 1000,
    analysisConcurrency: config.gates.analysisConcurrency,
    streamingAnalyses: config.gates.streamingAnalyses,
    ...(config.gates.cacheDir ? { cacheDir: config.gates.cacheDir } : {}),
    logger,
    metrics: metrics.registry,
    serverKey: security.key,
  });
  const registry = new Registry({ blobs, meta, maxManifestBytes: config.limits.maxManifestBytes, hooks: combineHooks(metrics.registryHooks(), gates.hooks()) });
  gates.attach(registry);
  bindGatesApi(security.auth, gates);
  const recordEvent: V2EventRecorder = async (req, principal, event) => {
    notifications.fromRequest(event, principal);
    if (event.action === 'image.pull' && !config.audit.pulls) return;
    await recordRequestEvent(security.audit, req, principal, event);
  };
  const https = config.tls ? { cert: await readFile(config.tls.cert), key: await readFile(config.tls.key) } : undefined;
  const app = await buildApp({
    registry,
    metrics,
    logger,
    access: gates.accessControl(config.auth.enabled ? security.accessControl : openAccess),
    recordEvent,
    plugins: [
      async (app) => {
        await app.register(tokenRoutes, { auth: security.auth, key: security.key });
      },
      async (app) => {
        await app.register(apiRoutes, { auth: security.auth, audit: security.audit, auditVerifiers: security.auditVerifiers, policy, webhooks: notifications.webhooks });
      },
    ],
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
  // Each process may run them: GC and retention are safe to run concurrently across processes.
  const schedules = [
    config.gc.interval > 0 ? startGcSchedule(registry, { intervalMs: config.gc.interval * 1000, graceMs: config.gc.grace * 1000, logger }) : undefined,
    config.retention.interval > 0 ? startRetentionSchedule(registry, { intervalMs: config.retention.interval * 1000, logger }) : undefined,
  ];

  const { host, port } = splitAddr(config.addr);
  await app.app.listen({ host, port });
  const bound = app.app.server.address();
  const actualPort = bound && typeof bound === 'object' ? bound.port : port;
  const url = `${https ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${actualPort}`;
  gates.setBaseUrl(url);
  gates.start();
  notifications.start();
  logger.info({ url, dataDir: resolve(config.dataDir), storage: blobs.kind, metadata: meta.dialect, auth: config.auth.enabled }, 'portcullis listening');

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      clearInterval(sweeper);
      for (const schedule of schedules) await schedule?.stop();
      app.drain();
      const grace = setTimeout(() => app.app.server.closeAllConnections(), config.shutdownGrace * 1000);
      grace.unref();
      await app.app.close();
      clearTimeout(grace);
      await notifications.stop();
      await gates.close();
      await security.close();
      await blobs.close();
      await meta.close();
      logger.info('portcullis stopped');
    })();
    return closing;
  };
  return { url, app, registry, security, logger, close };
}
