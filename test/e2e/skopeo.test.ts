import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORPUS_IMAGES, CORPUS_TAGS, hasCorpus } from '../../src/testing/corpus.js';
import { containersEnv, tool } from '../../src/testing/containers.js';
import { startTestServer, type TestServer } from '../../src/testing/server.js';

let srv: TestServer;
let work: string;
let env: NodeJS.ProcessEnv;
const skopeo = (...args: string[]) => tool('skopeo', args, env);

interface OciIndex {
  manifests: { digest: string; annotations?: Record<string, string> }[];
}

async function layoutDigest(dir: string, tag: string): Promise<string> {
  const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as OciIndex;
  const m = index.manifests.find((x) => x.annotations?.['org.opencontainers.image.ref.name'] === tag) ?? index.manifests[0];
  return m!.digest;
}

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`${srv.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(name));
  return line ? Number(line.split(' ').pop()) : 0;
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'portcullis-e2e-'));
  env = await containersEnv(join(work, 'containers'));
  srv = await startTestServer();
});
afterAll(async () => {
  await srv?.stop();
  await rm(work, { recursive: true, force: true });
});

describe.skipIf(!hasCorpus)('skopeo against Portcullis with the shared images', () => {
  it.each(CORPUS_TAGS)('copies %s in and out with identical digests', async (tag) => {
    const ref = `docker://${srv.hostPort}/corpus/${tag}:${tag}`;
    await skopeo('copy', '-q', '--dest-tls-verify=false', `oci:${CORPUS_IMAGES}:${tag}`, ref);
    const out = join(work, `out-${tag}`);
    await skopeo('copy', '-q', '--src-tls-verify=false', ref, `oci:${out}:${tag}`);
    expect(await layoutDigest(out, tag)).toBe(await layoutDigest(CORPUS_IMAGES, tag));
    const inspect = JSON.parse(await skopeo('inspect', '--tls-verify=false', ref)) as { Digest: string; Layers: string[] };
    expect(inspect.Digest).toBe(await layoutDigest(CORPUS_IMAGES, tag));
  });

  it('round-trips through docker-archive', async () => {
    const archive = join(work, 'minbase.tar');
    await skopeo('copy', '-q', '--src-tls-verify=false', `docker://${srv.hostPort}/corpus/debian-minbase:debian-minbase`, `docker-archive:${archive}:minbase:1`);
    await skopeo('copy', '-q', '--dest-tls-verify=false', `docker-archive:${archive}`, `docker://${srv.hostPort}/archive/minbase:1`);
    const raw = JSON.parse(await skopeo('inspect', '--raw', '--tls-verify=false', `docker://${srv.hostPort}/archive/minbase:1`)) as { mediaType: string; layers: unknown[] };
    expect(raw.mediaType).toBe('application/vnd.docker.distribution.manifest.v2+json');
    expect(raw.layers).toHaveLength(1);
    const back = join(work, 'back.tar');
    await skopeo('copy', '-q', '--src-tls-verify=false', `docker://${srv.hostPort}/archive/minbase:1`, `docker-archive:${back}:minbase:1`);
  });

  it('mounts blobs across repositories of the same registry', async () => {
    const before = await metric('portcullis_registry_events_total{event="blob_mounted"}');
    await skopeo('copy', '-q', '--src-tls-verify=false', '--dest-tls-verify=false', `docker://${srv.hostPort}/corpus/node-app:node-app`, `docker://${srv.hostPort}/other/node-app:copy`);
    expect(await metric('portcullis_registry_events_total{event="blob_mounted"}')).toBeGreaterThan(before);
    const inspect = JSON.parse(await skopeo('inspect', '--tls-verify=false', `docker://${srv.hostPort}/other/node-app:copy`)) as { Layers: string[] };
    expect(inspect.Layers).toHaveLength(3);
  });

  it('lists and deletes tags', async () => {
    const src = `oci:${CORPUS_IMAGES}:debian-minbase`;
    await skopeo('copy', '-q', '--dest-tls-verify=false', src, `docker://${srv.hostPort}/tmp/x:a`);
    await skopeo('copy', '-q', '--dest-tls-verify=false', src, `docker://${srv.hostPort}/tmp/x:b`);
    const tags = JSON.parse(await skopeo('list-tags', '--tls-verify=false', `docker://${srv.hostPort}/tmp/x`)) as { Tags: string[] };
    expect(tags.Tags.sort()).toEqual(['a', 'b']);
    // skopeo deletes by digest: both tags go, as with distribution.
    await skopeo('delete', '--tls-verify=false', `docker://${srv.hostPort}/tmp/x:a`);
    const after = JSON.parse(await skopeo('list-tags', '--tls-verify=false', `docker://${srv.hostPort}/tmp/x`)) as { Tags: string[] };
    expect(after.Tags).toEqual([]);
  });
});

describe('buildah and podman against Portcullis', () => {
  it('buildah pushes an image it built, podman pulls it', async () => {
    const ctx = join(work, 'ctx');
    const { mkdir, writeFile } = await import('node:fs/promises');
    await mkdir(ctx, { recursive: true });
    await writeFile(join(ctx, 'hello.txt'), 'hello from buildah\n');
    const ctr = (await tool('buildah', ['from', 'scratch'], env)).trim();
    await tool('buildah', ['copy', ctr, join(ctx, 'hello.txt'), '/hello.txt'], env);
    await tool('buildah', ['config', '--cmd', '/hello', '--label', 'e2e=yes', ctr], env);
    await tool('buildah', ['commit', '-q', ctr, 'localhost/e2e/hello:1'], env);
    await tool('buildah', ['push', '--tls-verify=false', 'localhost/e2e/hello:1', `docker://${srv.hostPort}/e2e/hello:1`], env);
    await tool('podman', ['pull', '-q', '--tls-verify=false', `${srv.hostPort}/e2e/hello:1`], env);
    const inspect = JSON.parse(await tool('podman', ['image', 'inspect', `${srv.hostPort}/e2e/hello:1`], env)) as { Labels?: Record<string, string>; Config?: { Labels?: Record<string, string> } }[];
    const labels = inspect[0]?.Labels ?? inspect[0]?.Config?.Labels;
    expect(labels?.e2e).toBe('yes');
  });
});
