import { createHash, randomUUID } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';

/**
 * The few distribution-API calls `db push`/`db pull` make (blob upload POST/PATCH/PUT, blob
 * HEAD/GET, manifest PUT/GET), in memory, for tests only. `corrupt` digests are served altered.
 */
export class MiniRegistry {
  readonly blobs = new Map<string, Buffer>();
  readonly manifests = new Map<string, { bytes: Buffer; mediaType: string }>();
  readonly corrupt = new Set<string>();
  private readonly uploads = new Map<string, Buffer[]>();
  private server: Server | undefined;

  /** Starts on 127.0.0.1 and returns "127.0.0.1:PORT". */
  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => res.writeHead(500).end(String(err)));
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    const addr = this.server.address();
    if (!addr || typeof addr === 'string') throw new Error('no address');
    return `127.0.0.1:${addr.port}`;
  }

  async stop(): Promise<void> {
    await new Promise((r) => this.server?.close(r));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname;
    if (path === '/v2/' || path === '/v2') return void res.writeHead(200).end('{}');
    let m = /^\/v2\/(.+)\/blobs\/uploads\/([^/]*)$/.exec(path);
    if (m) {
      const [, repo, id] = m;
      if (req.method === 'POST') {
        const uid = randomUUID();
        this.uploads.set(uid, []);
        return void res.writeHead(202, { location: `/v2/${repo}/blobs/uploads/${uid}`, 'content-length': '0' }).end();
      }
      const parts = this.uploads.get(id ?? '');
      if (!parts) return void res.writeHead(404).end();
      parts.push(body);
      if (req.method === 'PATCH') {
        const size = parts.reduce((n, p) => n + p.length, 0);
        return void res.writeHead(202, { location: `/v2/${repo}/blobs/uploads/${id}`, range: `0-${size - 1}`, 'content-length': '0' }).end();
      }
      if (req.method === 'PUT') {
        const data = Buffer.concat(parts);
        const digest = `sha256:${createHash('sha256').update(data).digest('hex')}`;
        if (url.searchParams.get('digest') !== digest) return void res.writeHead(400).end('{"errors":[{"code":"DIGEST_INVALID","message":"digest"}]}');
        this.blobs.set(digest, data);
        this.uploads.delete(id ?? '');
        return void res.writeHead(201, { location: `/v2/${repo}/blobs/${digest}`, 'docker-content-digest': digest, 'content-length': '0' }).end();
      }
      return void res.writeHead(405).end();
    }
    m = /^\/v2\/(.+)\/blobs\/(sha256:[0-9a-f]{64})$/.exec(path);
    if (m) {
      const blob = this.blobs.get(m[2]!);
      if (!blob) return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"errors":[{"code":"BLOB_UNKNOWN","message":"unknown"}]}');
      const out = this.corrupt.has(m[2]!) ? Buffer.concat([blob.subarray(0, blob.length - 1), Buffer.from('x')]) : blob;
      res.writeHead(200, { 'content-length': String(out.length), 'docker-content-digest': m[2] });
      return void res.end(req.method === 'HEAD' ? undefined : out);
    }
    m = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(path);
    if (m) {
      const key = `${m[1]}:${m[2]}`;
      if (req.method === 'PUT') {
        const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
        const entry = { bytes: body, mediaType: String(req.headers['content-type']) };
        this.manifests.set(key, entry);
        this.manifests.set(`${m[1]}:${digest}`, entry);
        return void res.writeHead(201, { 'docker-content-digest': digest, location: `/v2/${m[1]}/manifests/${digest}`, 'content-length': '0' }).end();
      }
      const entry = this.manifests.get(key);
      if (!entry) return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"errors":[{"code":"MANIFEST_UNKNOWN","message":"unknown"}]}');
      const digest = `sha256:${createHash('sha256').update(entry.bytes).digest('hex')}`;
      res.writeHead(200, { 'content-type': entry.mediaType, 'content-length': String(entry.bytes.length), 'docker-content-digest': digest });
      return void res.end(req.method === 'HEAD' ? undefined : entry.bytes);
    }
    res.writeHead(404).end();
  }
}
