import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestOf } from '../../image/digest.js';
import { MediaType } from '../../image/mediatypes.js';
import { ERROR_STATUS } from '../../registry/errors.js';
import { startTestServer, type TestServer } from '../../testing/server.js';

let srv: TestServer;
let upload: string;

beforeAll(async () => {
  srv = await startTestServer();
  const start = await fetch(`${srv.url}/v2/bad/input/blobs/uploads/`, { method: 'POST' });
  upload = start.headers.get('location')!;
});
afterAll(async () => {
  await srv.stop();
});

const d = digestOf('x');
const CASES: [string, string, RequestInit?][] = [
  ['GET', '/v2/bad/input/manifests/%FF%FE'],
  ['GET', `/v2/bad/input/manifests/${'a'.repeat(300)}`],
  ['GET', '/v2/bad/input/blobs/sha384:abcd'],
  ['GET', '/v2/../../etc/passwd/blobs/sha256:abc'],
  ['GET', '/v2/_catalog?n=-1'],
  ['GET', '/v2/_catalog?n=1e9'],
  ['GET', '/v2/bad/input/tags/list?n=x&last=%00'],
  ['POST', '/v2/bad/input/blobs/uploads/?digest=not-a-digest', { body: 'x' }],
  ['POST', '/v2/bad/input/blobs/uploads/?mount=garbage&from=bad/input'],
  ['PATCH', '__UPLOAD__', { body: 'x', headers: { 'Content-Range': 'bytes=a-b' } }],
  ['PUT', '__UPLOAD__?digest=sha256:short'],
  ['PUT', '__UPLOAD__'],
  ['PUT', '/v2/bad/input/manifests/latest', { body: Buffer.from([0xff, 0xfe, 0x00]), headers: { 'Content-Type': MediaType.OciManifest } }],
  ['PUT', '/v2/bad/input/manifests/latest', { body: '['.repeat(5000) + ']'.repeat(5000), headers: { 'Content-Type': MediaType.OciManifest } }],
  ['PUT', '/v2/bad/input/manifests/latest', { body: '{"schemaVersion":1}', headers: { 'Content-Type': 'application/vnd.docker.distribution.manifest.v1+json' } }],
  ['PUT', '/v2/bad/input/manifests/latest', { body: JSON.stringify({ schemaVersion: 2, mediaType: 'text/plain', config: {}, layers: [] }) }],
  ['PUT', '/v2/bad/input/manifests/latest', { body: JSON.stringify({ schemaVersion: 2, mediaType: MediaType.OciManifest, config: { mediaType: 'x', digest: d, size: -1 }, layers: [] }) }],
  ['PUT', '/v2/bad/input/manifests/latest', { body: JSON.stringify({ schemaVersion: 2, mediaType: MediaType.OciIndex }), headers: { 'Content-Type': MediaType.OciManifest } }],
  ['DELETE', '/v2/bad/input/manifests/-nope'],
  ['DELETE', `/v2/bad/input/blobs/${d}`],
  ['GET', '/v2/bad/input/blobs/uploads/00000000-0000-0000-0000-000000000000'],
  ['HEAD', '/v2/bad/input/manifests/missing'],
];

describe('bad input never gets a 500', () => {
  it.each(CASES)('%s %s', async (method, path, init) => {
    const target = path.replace('__UPLOAD__', upload);
    const res = await fetch(`${srv.url}${target}`, { method, ...init });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    if (method !== 'HEAD') {
      const body = (await res.json()) as { errors: { code: string; message: string }[] };
      expect(Object.keys(ERROR_STATUS)).toContain(body.errors[0]!.code);
      expect(body.errors[0]!.message.length).toBeGreaterThan(0);
    }
  });
});
