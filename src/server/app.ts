import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyServerOptions } from 'fastify';
import type { Registry } from '../registry/registry.js';
import type { AccessControl, V2EventRecorder } from './distribution/access.js';
import { distributionRoutes } from './distribution/index.js';
import { parseV2Path } from './distribution/paths.js';
import { ServerMetrics } from './metrics.js';
import { hsts } from './auth/tls.js';

export interface AppOptions {
  registry: Registry;
  metrics?: ServerMetrics;
  access?: AccessControl;
  recordEvent?: V2EventRecorder;
  /** A pino logger shared with the rest of the process; none means no logging. */
  logger?: FastifyBaseLogger;
  https?: { cert: Buffer; key: Buffer };
  /** Extra plugins (management API, token service, web UI), registered after the core routes. */
  plugins?: ((app: FastifyInstance) => Promise<void>)[];
  /** Readiness probe beyond "started and not shutting down". */
  ready?: () => Promise<boolean>;
}

export interface App {
  app: FastifyInstance;
  metrics: ServerMetrics;
  /** Marks the process as draining: /readyz answers 503 from now on. */
  drain(): void;
}

function routeLabel(url: string | undefined): string {
  const path = (url ?? '/').split('?')[0]!;
  if (path.startsWith('/v2')) return `v2:${parseV2Path(path)?.kind ?? 'unknown'}`;
  const first = path.split('/')[1] ?? '';
  return ['healthz', 'readyz', 'metrics', 'api', 'token'].includes(first) ? first : 'other';
}

/** The HTTP server: health, metrics, and the registry API; other surfaces plug in. */
export async function buildApp(opts: AppOptions): Promise<App> {
  const base: FastifyServerOptions = {
    ...(opts.logger ? { loggerInstance: opts.logger } : { logger: false }),
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,64}$/.test(given) ? given : randomUUID();
    },
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024 * 1024,
    // Blob uploads can take long; idle sockets are still reaped by keepAliveTimeout.
    requestTimeout: 0,
    keepAliveTimeout: 65_000,
    forceCloseConnections: 'idle',
    routerOptions: { ignoreDuplicateSlashes: false },
    // URLs the router cannot even decode still get an OCI error body on the registry API.
    frameworkErrors: (err, req, reply) => {
      const status = typeof (err as { statusCode?: unknown }).statusCode === 'number' ? (err as { statusCode: number }).statusCode : 400;
      void (reply as unknown as FastifyReply).code(status).header('Content-Type', 'application/json').send({ errors: [{ code: 'UNSUPPORTED', message: err.message }] });
      req.log.debug({ err }, 'rejected by the router');
    },
  };
  // The https server's typings differ only in the raw server type, which we never touch.
  const app: FastifyInstance = opts.https ? (Fastify({ ...base, https: opts.https } as FastifyServerOptions)) : Fastify(base);
  const metrics = opts.metrics ?? new ServerMetrics();
  let draining = false;

  app.addHook('onResponse', async (req, reply) => {
    const route = routeLabel(req.raw.url);
    const seconds = reply.elapsedTime / 1000;
    metrics.requests.inc({ method: req.method, route, status: String(reply.statusCode) });
    metrics.duration.observe({ method: req.method, route }, seconds);
    req.log.info({ method: req.method, url: req.raw.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime), route }, 'request');
  });
  app.addHook('onSend', async (req, reply) => {
    reply.header('X-Request-Id', req.id);
  });

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    const ok = !draining && (opts.ready ? await opts.ready().catch(() => false) : true);
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ready' : 'not ready' });
  });
  app.get('/metrics', async (_req, reply) => {
    return reply.header('Content-Type', metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  await app.register(hsts);
  await app.register(distributionRoutes, {
    registry: opts.registry,
    ...(opts.access ? { access: opts.access } : {}),
    ...(opts.recordEvent ? { recordEvent: opts.recordEvent } : {}),
  });
  for (const plugin of opts.plugins ?? []) await app.register(plugin);
  return {
    app,
    metrics,
    drain: () => {
      draining = true;
    },
  };
}
