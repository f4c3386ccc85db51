import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORPUS_IMAGES, hasCorpus } from '../../src/testing/corpus.js';
import { containersEnv, tool } from '../../src/testing/containers.js';
import { startPostgres, type PostgresServer } from '../../src/testing/postgres.js';
import { startTestServer, type TestServer } from '../../src/testing/server.js';
import { hasSwiftTools, startSwiftS3, type SwiftS3 } from '../../src/storage/testing/swift.js';

// Two stateless server processes sharing PostgreSQL metadata and S3 blobs, as at scale.
let work: string;
let pg: PostgresServer;
let s3: SwiftS3;
let a: TestServer;
let b: TestServer;
let env: NodeJS.ProcessEnv;

describe.skipIf(!hasCorpus || !hasSwiftTools)('scale-out: PostgreSQL + S3 behind two processes', () => {
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'portcullis-scale-'));
    env = await containersEnv(join(work, 'containers'));
    pg = await startPostgres();
    s3 = await startSwiftS3();
    const admin = new S3Client({ endpoint: s3.endpoint, region: s3.region, forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } });
    await admin.send(new CreateBucketCommand({ Bucket: 'registry' }));
    admin.destroy();
    const shared = {
      storage: { driver: 's3' as const, endpoint: s3.endpoint, region: s3.region, bucket: 'registry', accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
      metadata: { driver: 'postgres' as const, url: await pg.createDatabase('registry') },
    };
    a = await startTestServer(shared);
    b = await startTestServer(shared);
  }, 180_000);

  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await s3?.stop();
    await pg?.stop();
    await rm(work, { recursive: true, force: true });
  });

  it('pushes through one process and pulls the same bytes through the other', async () => {
    await tool('skopeo', ['copy', '-q', '--dest-tls-verify=false', `oci:${CORPUS_IMAGES}:node-app`, `docker://${a.hostPort}/team/node-app:1`], env);
    const out = join(work, 'out');
    await tool('skopeo', ['copy', '-q', '--src-tls-verify=false', `docker://${b.hostPort}/team/node-app:1`, `oci:${out}:1`], env);
    const src = JSON.parse(await readFile(join(CORPUS_IMAGES, 'index.json'), 'utf8')) as { manifests: { digest: string; annotations?: Record<string, string> }[] };
    const want = src.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === 'node-app')!.digest;
    const got = (JSON.parse(await readFile(join(out, 'index.json'), 'utf8')) as { manifests: { digest: string }[] }).manifests[0]!.digest;
    expect(got).toBe(want);
    const tags = JSON.parse(await tool('skopeo', ['list-tags', '--tls-verify=false', `docker://${b.hostPort}/team/node-app`], env)) as { Tags: string[] };
    expect(tags.Tags).toEqual(['1']);
  });

  it('finishes a chunked upload on the other process (hash state rebuilt from storage)', async () => {
    const data = Buffer.alloc(3 * 1024 * 1024, 'x');
    const start = await fetch(`${a.url}/v2/team/chunks/blobs/uploads/`, { method: 'POST' });
    const location = start.headers.get('location')!;
    const half = data.length / 2;
    expect((await fetch(`${a.url}${location}`, { method: 'PATCH', body: data.subarray(0, half), headers: { 'Content-Range': `0-${half - 1}` } })).status).toBe(202);
    expect((await fetch(`${b.url}${location}`, { method: 'PATCH', body: data.subarray(half), headers: { 'Content-Range': `${half}-${data.length - 1}` } })).status).toBe(202);
    const { createHash } = await import('node:crypto');
    const digest = `sha256:${createHash('sha256').update(data).digest('hex')}`;
    const done = await fetch(`${a.url}${location}?digest=${digest}`, { method: 'PUT' });
    expect(done.status).toBe(201);
    const head = await fetch(`${b.url}/v2/team/chunks/blobs/${digest}`, { method: 'HEAD' });
    expect(head.headers.get('content-length')).toBe(String(data.length));
  });
});
