import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeImage } from '../../src/analysis/index.js';
import { sourceFromManifest } from '../../src/image/sources/index.js';
import { containersEnv, tool } from '../../src/testing/containers.js';
import { CORPUS_IMAGES, corpusPath, hasCorpus, parseTsv } from '../../src/testing/corpus.js';
import { startTestServer, type TestServer } from '../../src/testing/server.js';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The registry analyses what it stores through the same ImageSource interface as the CLI,
// with blobs read straight from its BlobStore (no HTTP, no copy).
describe.skipIf(!hasCorpus)('analysis of an image stored in the registry', () => {
  let srv: TestServer;
  let work: string;
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'portcullis-analysis-'));
    srv = await startTestServer();
    const env = await containersEnv(join(work, 'containers'));
    await tool('skopeo', ['copy', '-q', '--dest-tls-verify=false', `oci:${CORPUS_IMAGES}:node-app`, `docker://${srv.hostPort}/apps/node-app:1.0`], env);
  });
  afterAll(async () => {
    await srv?.stop();
    await rm(work, { recursive: true, force: true });
  });

  it('reads blobs from the BlobStore and finds the same packages as the corpus says', async () => {
    const stored = await srv.registry.getManifest('apps/node-app', '1.0');
    const source = await sourceFromManifest({
      ref: `${srv.hostPort}/apps/node-app:1.0`,
      manifestBytes: stored.content,
      contentType: stored.mediaType,
      expectedDigest: stored.digest,
      fetchBlob: (digest) => srv.registry.blobs.read(digest),
    });
    const { inventory } = await analyzeImage(source);
    const expected = parseTsv(await readFile(corpusPath('expected/node-app.packages.tsv'), 'utf8'));
    const got = inventory.packages.map((p) => `${p.type}\t${p.name}\t${p.version}\t${p.path}`).sort();
    expect(got).toEqual(expected.map((r) => `${r.type}\t${r.name}\t${r.version}\t${r.path}`).sort());
    expect(inventory.os?.family).toBe('debian');
  });
});
