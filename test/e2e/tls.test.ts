import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORPUS_IMAGES, hasCorpus } from '../../src/testing/corpus.js';
import { containersEnv, tool } from '../../src/testing/containers.js';
import { startTestServer, type TestServer } from '../../src/testing/server.js';

const run = promisify(execFile);
let work: string;
let srv: TestServer;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'portcullis-tls-'));
  await run('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
    '-keyout', join(work, 'server.key'), '-out', join(work, 'server.crt'),
  ]);
  srv = await startTestServer({ tls: { cert: join(work, 'server.crt'), key: join(work, 'server.key') } });
});
afterAll(async () => {
  await srv?.stop();
  await rm(work, { recursive: true, force: true });
});

describe('TLS', () => {
  it('serves the API over HTTPS with the configured certificate', async () => {
    expect(srv.url).toMatch(/^https:\/\//);
    const dispatcher = new Agent({ connect: { ca: await readFile(join(work, 'server.crt')) } });
    const res = await request(`${srv.url}/v2/`, { dispatcher });
    expect(res.statusCode).toBe(200);
    await res.body.dump();
    await expect(request(`${srv.url}/v2/`)).rejects.toThrow(/self.signed|certificate/i);
  });

  it.skipIf(!hasCorpus)('lets skopeo push with the CA in its cert dir', async () => {
    const certs = join(work, 'certs');
    await mkdir(certs, { recursive: true });
    await copyFile(join(work, 'server.crt'), join(certs, 'ca.crt'));
    const env = await containersEnv(join(work, 'containers'));
    await tool('skopeo', ['copy', '-q', '--dest-cert-dir', certs, `oci:${CORPUS_IMAGES}:debian-minbase`, `docker://${srv.hostPort}/tls/minbase:1`], env);
    const out = await tool('skopeo', ['inspect', '--cert-dir', certs, `docker://${srv.hostPort}/tls/minbase:1`], env);
    expect((JSON.parse(out) as { Layers: string[] }).Layers).toHaveLength(1);
  });
});
