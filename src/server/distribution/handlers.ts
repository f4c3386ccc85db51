import type { FastifyReply, FastifyRequest } from 'fastify';
import { RegistryError } from '../../registry/errors.js';
import { parseContentRange, parseRangeHeader } from '../../registry/ranges.js';
import type { Registry } from '../../registry/registry.js';
import { parseAccept } from '../../registry/negotiate.js';
import { MediaType } from '../../image/mediatypes.js';
import { isDigest } from '../../image/digest.js';
import type { V2Route } from './paths.js';
import { readBodyLimited } from './body.js';
import type { AccessControl, Principal, V2Event } from './access.js';

export interface HandlerContext {
  registry: Registry;
  access: AccessControl;
  principal: Principal;
  query: URLSearchParams;
  record: (event: V2Event) => Promise<void>;
}

type Handler<K extends V2Route['kind']> = (
  route: Extract<V2Route, { kind: K }>,
  req: FastifyRequest,
  reply: FastifyReply,
  ctx: HandlerContext,
) => Promise<unknown>;

const enc = (name: string) => name.split('/').map(encodeURIComponent).join('/');

function uploadLocation(name: string, id: string): string {
  return `/v2/${enc(name)}/blobs/uploads/${id}`;
}

function uploadAccepted(reply: FastifyReply, name: string, id: string, size: number): FastifyReply {
  return reply
    .code(202)
    .header('Location', uploadLocation(name, id))
    .header('Range', `0-${Math.max(0, size - 1)}`)
    .header('Docker-Upload-UUID', id)
    .header('Content-Length', '0')
    .send();
}

function blobCreated(reply: FastifyReply, name: string, digest: string): FastifyReply {
  return reply
    .code(201)
    .header('Location', `/v2/${enc(name)}/blobs/${digest}`)
    .header('Docker-Content-Digest', digest)
    .header('Content-Length', '0')
    .send();
}

/** Page parameters `n` and `last`; a malformed `n` is a client error. */
export function pageOf(query: URLSearchParams): { n?: number; last?: string } {
  const page: { n?: number; last?: string } = {};
  const n = query.get('n');
  if (n !== null && n !== '') {
    if (!/^\d+$/.test(n)) throw new RegistryError('UNSUPPORTED', `invalid page size n=${n}`, undefined, { status: 400 });
    page.n = Math.min(Number(n), 10_000);
  }
  const last = query.get('last');
  if (last) page.last = last;
  return page;
}

function linkNext(path: string, items: string[], page: { n?: number }): string | undefined {
  if (page.n === undefined || items.length < page.n || items.length === 0) return undefined;
  return `<${path}?n=${page.n}&last=${encodeURIComponent(items[items.length - 1]!)}>; rel="next"`;
}

export const blob: Handler<'blob'> = async (route, req, reply, { registry, record }) => {
  if (req.method === 'DELETE') {
    await registry.deleteBlob(route.name, route.digest);
    await record({ action: 'blob.delete', repository: route.name, digest: route.digest, outcome: 'success' });
    return reply.code(202).header('Content-Length', '0').send();
  }
  const size = await registry.statBlob(route.name, route.digest);
  reply
    .header('Docker-Content-Digest', route.digest)
    .header('Content-Type', 'application/octet-stream')
    .header('Accept-Ranges', 'bytes')
    .header('ETag', `"${route.digest}"`)
    .header('Cache-Control', 'max-age=31536000');
  const rangeHeader = req.headers.range;
  const range = rangeHeader ? parseRangeHeader(rangeHeader, size) : undefined;
  if (range === 'unsatisfiable') {
    throw new RegistryError('RANGE_INVALID', `range ${rangeHeader} not satisfiable`, undefined, { headers: { 'Content-Range': `bytes */${size}` } });
  }
  if (range) {
    reply.code(206).header('Content-Range', `bytes ${range.start}-${range.end}/${size}`).header('Content-Length', String(range.end - range.start + 1));
    if (req.method === 'HEAD') return reply.send();
    return reply.send(await registry.blobs.read(route.digest, range));
  }
  reply.header('Content-Length', String(size));
  if (req.method === 'HEAD') return reply.send();
  return reply.send(await registry.blobs.read(route.digest));
};

export const uploads: Handler<'uploads'> = async (route, req, reply, { registry, access, principal, query }) => {
  const mount = query.get('mount');
  const from = query.get('from');
  if (mount && from && (await access.canPull(principal, from))) {
    if (await registry.mountBlob(route.name, from, mount)) return blobCreated(reply, route.name, mount);
  }
  const digest = query.get('digest');
  if (digest) {
    await registry.putBlob(route.name, digest, req.raw);
    return blobCreated(reply, route.name, digest);
  }
  const repoId = await registry.repositoryId(route.name, true);
  const id = await registry.uploads.start(repoId);
  return uploadAccepted(reply, route.name, id, 0);
};

export const upload: Handler<'upload'> = async (route, req, reply, { registry, query }) => {
  const repoId = await registry.repositoryId(route.name);
  switch (req.method) {
    case 'GET': {
      const size = await registry.uploads.status(repoId, route.id);
      return reply
        .code(204)
        .header('Location', uploadLocation(route.name, route.id))
        .header('Range', `0-${Math.max(0, size - 1)}`)
        .header('Docker-Upload-UUID', route.id)
        .send();
    }
    case 'PATCH': {
      const header = req.headers['content-range'];
      const range = header ? parseContentRange(header) : undefined;
      if (header && !range) throw new RegistryError('RANGE_INVALID', `malformed Content-Range ${header}`);
      const size = await registry.uploads.append(repoId, route.id, req.raw, range);
      return uploadAccepted(reply, route.name, route.id, size);
    }
    case 'PUT': {
      const digest = query.get('digest');
      if (!digest) throw new RegistryError('DIGEST_INVALID', 'digest query parameter is required to complete an upload');
      const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
      if (!hasBody) req.raw.resume();
      await registry.uploads.complete(repoId, route.id, digest, hasBody ? req.raw : undefined);
      return blobCreated(reply, route.name, digest);
    }
    case 'DELETE':
      await registry.uploads.cancel(repoId, route.id);
      return reply.code(204).send();
    default:
      throw new RegistryError('UNSUPPORTED', `${req.method} is not supported on uploads`);
  }
};

export const manifest: Handler<'manifest'> = async (route, req, reply, { registry, record }) => {
  const byDigest = isDigest(route.reference);
  const tag = byDigest ? {} : { tag: route.reference };
  if (req.method === 'PUT') {
    const body = await readBodyLimited(req.raw, registry.maxManifestBytes);
    const { digest, subject } = await registry.putManifest(route.name, route.reference, body, req.headers['content-type']);
    await record({ action: 'image.push', repository: route.name, digest, ...tag, outcome: 'success' });
    reply.code(201).header('Location', `/v2/${enc(route.name)}/manifests/${digest}`).header('Docker-Content-Digest', digest).header('Content-Length', '0');
    if (subject) reply.header('OCI-Subject', subject);
    return reply.send();
  }
  if (req.method === 'DELETE') {
    await registry.deleteManifest(route.name, route.reference);
    await record({ action: byDigest ? 'image.delete' : 'tag.delete', repository: route.name, ...(byDigest ? { digest: route.reference } : tag), outcome: 'success' });
    return reply.code(202).header('Content-Length', '0').send();
  }
  const m = await registry.getManifest(route.name, route.reference, parseAccept(req.headers.accept));
  if (req.method === 'GET') await record({ action: 'image.pull', repository: route.name, digest: m.digest, ...tag, outcome: 'success' });
  reply
    .header('Content-Type', m.mediaType)
    .header('Content-Length', String(m.content.length))
    .header('Docker-Content-Digest', m.digest)
    .header('ETag', `"${m.digest}"`);
  if (req.method === 'HEAD') return reply.send();
  return reply.send(m.content);
};

export const tags: Handler<'tags'> = async (route, _req, reply, { registry, query }) => {
  const page = pageOf(query);
  const list = await registry.listTags(route.name, page);
  const link = linkNext(`/v2/${enc(route.name)}/tags/list`, list, page);
  if (link) reply.header('Link', link);
  return reply.header('Content-Type', 'application/json').send({ name: route.name, tags: list });
};

export const referrers: Handler<'referrers'> = async (route, _req, reply, { registry, query }) => {
  const artifactType = query.get('artifactType') ?? undefined;
  const rows = await registry.referrers(route.name, route.digest, artifactType);
  if (artifactType) reply.header('OCI-Filters-Applied', 'artifactType');
  const manifests = rows.map((r) => {
    const d: Record<string, unknown> = { mediaType: r.mediaType, digest: r.digest, size: r.size };
    if (r.artifactType) d.artifactType = r.artifactType;
    if (r.annotations) d.annotations = r.annotations;
    return d;
  });
  return reply.header('Content-Type', MediaType.OciIndex).send(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.OciIndex, manifests })));
};

export async function catalog(reply: FastifyReply, ctx: HandlerContext): Promise<unknown> {
  const page = pageOf(ctx.query);
  const names: string[] = [];
  let last = page.last;
  // Filter by what the caller may see, refilling the page so private names never leak nor shrink pages.
  for (;;) {
    const batch = await ctx.registry.catalog({ last, n: page.n ?? 1000 });
    for (const name of batch) if (await ctx.access.canPull(ctx.principal, name)) names.push(name);
    if (batch.length === 0 || (page.n !== undefined && names.length >= page.n) || (page.n === undefined && batch.length < 1000)) break;
    last = batch[batch.length - 1];
  }
  const list = page.n !== undefined ? names.slice(0, page.n) : names;
  const link = linkNext('/v2/_catalog', list, page);
  if (link) reply.header('Link', link);
  return reply.header('Content-Type', 'application/json').send({ repositories: list });
}
