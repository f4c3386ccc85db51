import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { digestOf } from '../digest.js';

/**
 * A small in-memory distribution server for the client's unit tests (a test double, not a
 * registry): manifests, blobs, chunked uploads, mounts, paginated tags, an optional referrers API,
 * and Basic or Docker-token authentication with scope checks.
 */

export interface FakeRegistryOptions {
  auth?: 'none' | 'basic' | 'token';
  users?: Record<string, string>;
  /** Token mode: refresh tokens accepted by the OAuth2 POST grant. */
  refreshTokens?: Record<string, string>;
  /** Token mode: grant pull to anonymous callers. */
  anonymousPull?: boolean;
  referrersApi?: boolean;
  /** Blob GETs answer with a redirect to this origin (e.g. http://localhost:PORT) instead of the bytes. */
  blobRedirectOrigin?: string;
  /** Serve corrupted bytes for these digests (manifests and blobs). */
  corrupt?: Set<string>;
  /** Serve HTTPS with this key and certificate (PEM). */
  tls?: { key: string; cert: string };
}

export interface RecordedRequest {
  method: string;
  url: string;
  authorization: string | undefined;
}

interface StoredManifest {
  bytes: Buffer;
  mediaType: string;
  digest: string;
}

interface Upload {
  repo: string;
  chunks: Buffer[];
  size: number;
}

export class FakeRegistry {
  readonly blobs = new Map<string, Buffer>();
  /** repo → reference (tag or digest) → manifest */
  readonly manifests = new Map<string, Map<string, StoredManifest>>();
  readonly requests: RecordedRequest[] = [];
  readonly tokenRequests: { scopes: string[]; account: string | undefined; grant: string }[] = [];
  private readonly uploads = new Map<string, Upload>();
  private readonly tokens = new Map<string, { user: string | undefined; scopes: string[] }>();
  private server: Server | undefined;
  origin = '';

  constructor(private readonly opts: FakeRegistryOptions = {}) {}

  async start(): Promise<string> {
    const handler = (req: IncomingMessage, res: ServerResponse): void => {
      this.handle(req, res).catch((err: unknown) => {
        res.statusCode = 500;
        res.end(String(err));
      });
    };
    this.server = this.opts.tls ? createTlsServer(this.opts.tls, handler) : createServer(handler);
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    const addr = this.server.address();
    if (!addr || typeof addr === 'string') throw new Error('no address');
    this.origin = `${this.opts.tls ? 'https' : 'http'}://127.0.0.1:${addr.port}`;
    return `127.0.0.1:${addr.port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => this.server?.close(() => r()));
  }

  private repoMap(repo: string): Map<string, StoredManifest> {
    let m = this.manifests.get(repo);
    if (!m) {
      m = new Map<string, StoredManifest>();
      this.manifests.set(repo, m);
    }
    return m;
  }

  private error(res: ServerResponse, status: number, code: string, message: string, extra: Record<string, string> = {}): void {
    res.writeHead(status, { 'content-type': 'application/json', ...extra });
    res.end(JSON.stringify({ errors: [{ code, message, detail: null }] }));
  }

  /** Whether the request may perform `action` on `repo`; answers the challenge itself when not. */
  private authorize(req: IncomingMessage, res: ServerResponse, repo: string | undefined, action: string): boolean {
    const mode = this.opts.auth ?? 'none';
    if (mode === 'none') return true;
    const authz = req.headers.authorization ?? '';
    const scope = repo ? `repository:${repo}:${action}` : '';
    if (mode === 'basic') {
      const [user, pass] = Buffer.from(authz.replace(/^Basic /, ''), 'base64').toString().split(':');
      if (authz.startsWith('Basic ') && user && this.opts.users?.[user] === pass) return true;
      this.error(res, 401, 'UNAUTHORIZED', 'authentication required', { 'www-authenticate': 'Basic realm="fake"' });
      return false;
    }
    const token = authz.startsWith('Bearer ') ? this.tokens.get(authz.slice(7)) : undefined;
    if (token && (!repo || token.scopes.some((s) => s.startsWith(`repository:${repo}:`) && s.split(':')[2]!.split(',').includes(action)))) return true;
    const challenge = `Bearer realm="${this.origin}/token",service="fake-registry"${scope ? `,scope="${scope}"` : ''}`;
    this.error(res, 401, 'UNAUTHORIZED', 'authentication required', { 'www-authenticate': challenge });
    return false;
  }

  private async issueToken(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    let user: string | undefined;
    let scopes: string[];
    if (req.method === 'POST') {
      const form = new URLSearchParams((await readAll(req)).toString());
      const rt = form.get('refresh_token') ?? '';
      user = Object.entries(this.opts.refreshTokens ?? {}).find(([, v]) => v === rt)?.[0];
      if (form.get('grant_type') !== 'refresh_token' || !user) return this.error(res, 401, 'UNAUTHORIZED', 'bad refresh token');
      scopes = (form.get('scope') ?? '').split(' ').filter(Boolean);
      this.tokenRequests.push({ scopes, account: user, grant: 'refresh_token' });
    } else {
      const authz = req.headers.authorization;
      if (authz?.startsWith('Basic ')) {
        const [u, p] = Buffer.from(authz.slice(6), 'base64').toString().split(':');
        if (!u || this.opts.users?.[u] !== p) return this.error(res, 401, 'UNAUTHORIZED', 'bad credentials');
        user = u;
      }
      scopes = url.searchParams.getAll('scope');
      this.tokenRequests.push({ scopes, account: url.searchParams.get('account') ?? undefined, grant: 'basic' });
    }
    // Anonymous callers get pull only (when allowed); named users get what they asked for.
    const granted = scopes
      .map((s) => {
        if (user) return s;
        if (!this.opts.anonymousPull) return '';
        const [type, name] = s.split(':');
        return `${type}:${name}:pull`;
      })
      .filter(Boolean);
    const token = randomUUID();
    this.tokens.set(token, { user, scopes: granted });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(req.method === 'POST' ? { access_token: token, expires_in: 300 } : { token, expires_in: 300 }));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.origin);
    this.requests.push({ method: req.method ?? '', url: url.pathname + url.search, authorization: req.headers.authorization });
    const method = req.method ?? 'GET';
    if (url.pathname === '/token') return this.issueToken(req, res, url);
    if (url.pathname.startsWith('/_blob/')) return this.sendBlob(res, url.pathname.slice(7), method);
    if (url.pathname === '/v2/' || url.pathname === '/v2') {
      if (!this.authorize(req, res, undefined, 'pull')) return;
      res.writeHead(200, { 'docker-distribution-api-version': 'registry/2.0', 'content-type': 'application/json' });
      return void res.end('{}');
    }
    const m = /^\/v2\/(.+?)\/(manifests|blobs|tags|referrers)\/(.*)$/.exec(url.pathname);
    if (!m) return this.error(res, 404, 'NAME_UNKNOWN', 'no route');
    const [, repo, kind, rest] = m as unknown as [string, string, string, string];
    if (kind === 'referrers' && !this.opts.referrersApi) return this.error(res, 404, 'UNSUPPORTED', 'no referrers');
    const action = method === 'GET' || method === 'HEAD' ? 'pull' : method === 'DELETE' ? 'delete' : 'push';
    if (!this.authorize(req, res, repo, action)) return;
    if (kind === 'manifests') return this.manifest(req, res, repo, rest, method);
    if (kind === 'tags') return this.tagList(res, repo, url);
    if (kind === 'referrers') return this.referrers(res, repo, rest, url);
    if (rest.startsWith('uploads/')) return this.upload(req, res, repo, rest.slice(8), url, method);
    if (method === 'DELETE') return void (this.blobs.delete(rest) ? res.writeHead(202).end() : this.error(res, 404, 'BLOB_UNKNOWN', 'unknown'));
    if (this.opts.blobRedirectOrigin && method === 'GET') return void res.writeHead(307, { location: `${this.opts.blobRedirectOrigin}/_blob/${rest}` }).end();
    return this.sendBlob(res, rest, method);
  }

  private sendBlob(res: ServerResponse, digest: string, method: string): void {
    const blob = this.blobs.get(digest);
    if (!blob) return this.error(res, 404, 'BLOB_UNKNOWN', 'blob unknown');
    const body = this.opts.corrupt?.has(digest) ? Buffer.concat([blob, Buffer.from('x')]) : blob;
    res.writeHead(200, { 'content-length': String(body.length), 'docker-content-digest': digest, 'content-type': 'application/octet-stream' });
    res.end(method === 'HEAD' ? undefined : body);
  }

  private async manifest(req: IncomingMessage, res: ServerResponse, repo: string, ref: string, method: string): Promise<void> {
    const map = this.repoMap(repo);
    if (method === 'PUT') {
      const bytes = await readAll(req);
      const digest = digestOf(bytes);
      const mediaType = req.headers['content-type'] ?? 'application/json';
      const entry = { bytes, mediaType, digest };
      map.set(digest, entry);
      if (ref !== digest) map.set(ref, entry);
      const headers: Record<string, string> = { location: `/v2/${repo}/manifests/${digest}`, 'docker-content-digest': digest };
      const doc = JSON.parse(bytes.toString()) as { subject?: { digest: string } };
      if (this.opts.referrersApi && doc.subject) headers['oci-subject'] = doc.subject.digest;
      return void res.writeHead(201, headers).end();
    }
    const entry = map.get(ref);
    if (!entry) return this.error(res, 404, 'MANIFEST_UNKNOWN', `manifest ${ref} unknown`);
    if (method === 'DELETE') {
      for (const [k, v] of map) if (v.digest === entry.digest) map.delete(k);
      return void res.writeHead(202).end();
    }
    const body = this.opts.corrupt?.has(entry.digest) ? Buffer.concat([entry.bytes, Buffer.from(' ')]) : entry.bytes;
    res.writeHead(200, { 'content-type': entry.mediaType, 'docker-content-digest': entry.digest, 'content-length': String(body.length) });
    res.end(method === 'HEAD' ? undefined : body);
  }

  private tagList(res: ServerResponse, repo: string, url: URL): void {
    const all = [...this.repoMap(repo).keys()].filter((k) => !k.includes(':')).sort();
    const n = Number(url.searchParams.get('n') ?? all.length);
    const last = url.searchParams.get('last');
    const from = last ? all.filter((t) => t > last) : all;
    const page = from.slice(0, n);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (from.length > n) headers.link = `</v2/${repo}/tags/list?n=${n}&last=${encodeURIComponent(page[page.length - 1]!)}>; rel="next"`;
    res.writeHead(200, headers).end(JSON.stringify({ name: repo, tags: page }));
  }

  private referrers(res: ServerResponse, repo: string, digest: string, url: URL): void {
    const type = url.searchParams.get('artifactType');
    const manifests = [];
    for (const [ref, v] of this.repoMap(repo)) {
      if (ref !== v.digest) continue;
      const doc = JSON.parse(v.bytes.toString()) as { subject?: { digest: string }; artifactType?: string; config?: { mediaType: string } };
      if (doc.subject?.digest !== digest) continue;
      const artifactType = doc.artifactType ?? doc.config?.mediaType;
      if (type && artifactType !== type) continue;
      manifests.push({ mediaType: v.mediaType, digest: v.digest, size: v.bytes.length, artifactType });
    }
    const headers: Record<string, string> = { 'content-type': 'application/vnd.oci.image.index.v1+json' };
    if (type) headers['oci-filters-applied'] = 'artifactType';
    res.writeHead(200, headers).end(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests }));
  }

  private async upload(req: IncomingMessage, res: ServerResponse, repo: string, id: string, url: URL, method: string): Promise<void> {
    if (method === 'POST') {
      const mount = url.searchParams.get('mount');
      const from = url.searchParams.get('from');
      if (mount && from && this.blobs.has(mount)) {
        return void res.writeHead(201, { location: `/v2/${repo}/blobs/${mount}`, 'docker-content-digest': mount }).end();
      }
      const uid = randomUUID();
      this.uploads.set(uid, { repo, chunks: [], size: 0 });
      return void res.writeHead(202, { location: `/v2/${repo}/blobs/uploads/${uid}?_state=s`, range: '0-0' }).end();
    }
    const up = this.uploads.get(id);
    if (!up) return this.error(res, 404, 'BLOB_UPLOAD_UNKNOWN', 'unknown upload');
    if (method === 'DELETE') {
      this.uploads.delete(id);
      return void res.writeHead(204).end();
    }
    const body = await readAll(req);
    if (method === 'PATCH') {
      const range = req.headers['content-range'];
      if (range && !range.startsWith(`${up.size}-`)) return this.error(res, 416, 'BLOB_UPLOAD_INVALID', 'range');
      up.chunks.push(body);
      up.size += body.length;
      return void res.writeHead(202, { location: `/v2/${repo}/blobs/uploads/${id}?_state=s${up.size}`, range: `0-${up.size - 1}` }).end();
    }
    up.chunks.push(body);
    const data = Buffer.concat(up.chunks);
    const digest = url.searchParams.get('digest');
    if (digest !== digestOf(data)) return this.error(res, 400, 'DIGEST_INVALID', 'digest mismatch');
    this.blobs.set(digest, data);
    this.uploads.delete(id);
    res.writeHead(201, { location: `/v2/${repo}/blobs/${digest}`, 'docker-content-digest': digest }).end();
  }
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
