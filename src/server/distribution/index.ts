import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RegistryError } from '../../registry/errors.js';
import type { Registry } from '../../registry/registry.js';
import { BlobNotFoundError, InvalidDigestError, InvalidUploadIdError, RangeNotSatisfiableError, UploadNotFoundError } from '../../storage/blobstore.js';
import type { AccessControl, AccessRequest, Action, V2Event, V2EventRecorder } from './access.js';
import { openAccess } from './access.js';
import * as h from './handlers.js';
import { parseV2Path, type V2Route } from './paths.js';

export interface DistributionOptions {
  registry: Registry;
  access?: AccessControl;
  /** Audit trail of pushes, pulls, deletes and refused writes. */
  recordEvent?: V2EventRecorder;
}

const METHODS: Record<V2Route['kind'], string[]> = {
  base: ['GET', 'HEAD'],
  catalog: ['GET'],
  tags: ['GET'],
  manifest: ['GET', 'HEAD', 'PUT', 'DELETE'],
  uploads: ['POST'],
  upload: ['GET', 'PATCH', 'PUT', 'DELETE'],
  blob: ['GET', 'HEAD', 'DELETE'],
  referrers: ['GET'],
};

function requiredAccess(route: V2Route, method: string): AccessRequest {
  if (route.kind === 'base') return { type: 'base' };
  if (route.kind === 'catalog') return { type: 'catalog' };
  let actions: Action[];
  if (method === 'DELETE' && (route.kind === 'manifest' || route.kind === 'blob')) actions = ['delete'];
  else if (route.kind === 'uploads' || route.kind === 'upload' || method === 'PUT') actions = ['push', 'pull'];
  else actions = ['pull'];
  return { type: 'repository', repository: route.name, actions };
}

/** The OCI Distribution API (/v2), as an encapsulated fastify plugin that reads bodies as raw streams. */
export async function distributionRoutes(app: FastifyInstance, opts: DistributionOptions): Promise<void> {
  const access = opts.access ?? openAccess;
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_req, _payload, done) => done(null));

  app.addHook('onSend', async (_req, reply) => {
    reply.header('Docker-Distribution-API-Version', 'registry/2.0');
  });

  app.setErrorHandler(async (err: unknown, req, reply) => sendError(err, req, reply));
  app.setNotFoundHandler(async (_req, reply) => sendError(new RegistryError('UNSUPPORTED', 'no such API route', undefined, { status: 404 }), _req, reply));

  const handler = async (req: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
    const rawUrl = req.raw.url ?? '/';
    const q = rawUrl.indexOf('?');
    const route = parseV2Path(q < 0 ? rawUrl : rawUrl.slice(0, q));
    if (!route) throw new RegistryError('UNSUPPORTED', 'no such API route', undefined, { status: 404 });
    if (!METHODS[route.kind].includes(req.method)) {
      throw new RegistryError('UNSUPPORTED', `${req.method} is not allowed here`, undefined, { status: 405, headers: { Allow: METHODS[route.kind].join(', ') } });
    }
    const needed = requiredAccess(route, req.method);
    let principal;
    try {
      principal = await access.authorize(req, needed);
    } catch (err) {
      // Refused writes are evidence; refused reads are only challenges most of the time.
      if (opts.recordEvent && needed.type === 'repository' && req.method !== 'GET' && req.method !== 'HEAD' && err instanceof RegistryError && err.status === 403) {
        await opts.recordEvent(req, null, { action: 'access.denied', repository: needed.repository, outcome: 'denied', reasons: [`${req.method} needs ${needed.actions.join(',')}: ${err.message}`] });
      }
      throw err;
    }
    const recorder = opts.recordEvent;
    const record = recorder ? (event: V2Event) => recorder(req, principal, event) : async () => undefined;
    const ctx: h.HandlerContext = { registry: opts.registry, access, principal, query: new URLSearchParams(q < 0 ? '' : rawUrl.slice(q + 1)), record };
    switch (route.kind) {
      case 'base':
        return reply.header('Content-Type', 'application/json').send('{}');
      case 'catalog':
        return h.catalog(reply, ctx);
      case 'tags':
        return h.tags(route, req, reply, ctx);
      case 'manifest':
        return h.manifest(route, req, reply, ctx);
      case 'uploads':
        return h.uploads(route, req, reply, ctx);
      case 'upload':
        return h.upload(route, req, reply, ctx);
      case 'blob':
        return h.blob(route, req, reply, ctx);
      case 'referrers':
        return h.referrers(route, req, reply, ctx);
    }
  };
  app.route({ method: ['GET', 'HEAD', 'PUT', 'POST', 'PATCH', 'DELETE'], url: '/v2', handler, exposeHeadRoute: false });
  app.route({ method: ['GET', 'HEAD', 'PUT', 'POST', 'PATCH', 'DELETE'], url: '/v2/*', handler, exposeHeadRoute: false });
}

function toRegistryError(err: unknown): RegistryError | undefined {
  if (err instanceof RegistryError) return err;
  if (err instanceof BlobNotFoundError) return new RegistryError('BLOB_UNKNOWN', err.message);
  if (err instanceof RangeNotSatisfiableError) return new RegistryError('RANGE_INVALID', err.message);
  if (err instanceof InvalidDigestError) return new RegistryError('DIGEST_INVALID', err.message);
  if (err instanceof InvalidUploadIdError || err instanceof UploadNotFoundError) return new RegistryError('BLOB_UPLOAD_UNKNOWN', err.message);
  return undefined;
}

async function sendError(err: unknown, req: FastifyRequest, reply: FastifyReply): Promise<unknown> {
  const known = toRegistryError(err);
  if (!known) {
    const status = (err as { statusCode?: number }).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      // Framework-level client errors (bad headers, aborted bodies) are still the client's fault.
      return reply.code(status).header('Content-Type', 'application/json').send({ errors: [{ code: 'UNSUPPORTED', message: (err as Error).message }] });
    }
    req.log.error({ err }, 'request failed');
    return reply.code(500).header('Content-Type', 'application/json').send({ errors: [{ code: 'UNKNOWN', message: 'internal error' }] });
  }
  for (const [k, v] of Object.entries(known.headers)) reply.header(k, v);
  reply.code(known.status).header('Content-Type', 'application/json');
  if (req.method === 'HEAD') return reply.send();
  return reply.send(JSON.stringify(known.toBody()));
}
