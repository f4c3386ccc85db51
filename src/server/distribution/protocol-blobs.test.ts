import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestOf } from '../../image/digest.js';
import { startTestServer, type TestServer } from '../../testing/server.js';

let srv: TestServer;
const url = (p: string) => `${srv.url}${p}`;

async function errorCode(res: Response): Promise<string | undefined> {
  const body = (await res.json()) as { errors?: { code: string }[] };
  return body.errors?.[0]?.code;
}

async function pushBlob(repo: string, data: Buffer): Promise<string> {
  const digest = digestOf(data);
  const res = await fetch(url(`/v2/${repo}/blobs/uploads/?digest=${digest}`), { method: 'POST', body: data });
  expect(res.status).toBe(201);
  return digest;
}

beforeAll(async () => {
  srv = await startTestServer();
});
afterAll(async () => {
  await srv.stop();
});

describe('distribution API: base and blobs', () => {
  it('answers the base endpoint with the API version header', async () => {
    const res = await fetch(url('/v2/'));
    expect(res.status).toBe(200);
    expect(res.headers.get('docker-distribution-api-version')).toBe('registry/2.0');
  });

  it('takes a monolithic upload and serves it back, whole and in ranges', async () => {
    const data = Buffer.from('hello blob world');
    const digest = await pushBlob('lib/a', data);
    const head = await fetch(url(`/v2/lib/a/blobs/${digest}`), { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(data.length));
    expect(head.headers.get('docker-content-digest')).toBe(digest);
    const get = await fetch(url(`/v2/lib/a/blobs/${digest}`));
    expect(Buffer.from(await get.arrayBuffer()).equals(data)).toBe(true);
    const part = await fetch(url(`/v2/lib/a/blobs/${digest}`), { headers: { Range: 'bytes=6-9' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 6-9/${data.length}`);
    expect(await part.text()).toBe('blob');
    const bad = await fetch(url(`/v2/lib/a/blobs/${digest}`), { headers: { Range: 'bytes=100-' } });
    expect(bad.status).toBe(416);
  });

  it('refuses a digest that does not match and leaves nothing visible', async () => {
    const wrong = digestOf('something else');
    const res = await fetch(url(`/v2/lib/a/blobs/uploads/?digest=${wrong}`), { method: 'POST', body: 'payload' });
    expect(res.status).toBe(400);
    expect(await errorCode(res)).toBe('DIGEST_INVALID');
    const head = await fetch(url(`/v2/lib/a/blobs/${wrong}`), { method: 'HEAD' });
    expect(head.status).toBe(404);
  });

  it('rejects malformed digests and unknown blobs with the spec codes', async () => {
    const malformed = await fetch(url('/v2/lib/a/blobs/sha256:xyz'));
    expect(malformed.status).toBe(400);
    expect(await errorCode(malformed)).toBe('DIGEST_INVALID');
    const unknown = await fetch(url(`/v2/lib/a/blobs/${digestOf('nope')}`));
    expect(unknown.status).toBe(404);
    expect(await errorCode(unknown)).toBe('BLOB_UNKNOWN');
    const noRepo = await fetch(url(`/v2/lib/none/blobs/${digestOf('nope')}`));
    expect(await errorCode(noRepo)).toBe('NAME_UNKNOWN');
    const badName = await fetch(url(`/v2/Bad_Name/blobs/${digestOf('nope')}`));
    expect(badName.status).toBe(400);
    expect(await errorCode(badName)).toBe('NAME_INVALID');
  });

  it('supports POST then PUT with the body', async () => {
    const data = Buffer.from('post then put');
    const start = await fetch(url('/v2/lib/b/blobs/uploads/'), { method: 'POST' });
    expect(start.status).toBe(202);
    const location = start.headers.get('location')!;
    expect(start.headers.get('docker-upload-uuid')).toBeTruthy();
    const put = await fetch(url(`${location}?digest=${digestOf(data)}`), { method: 'PUT', body: data });
    expect(put.status).toBe(201);
    expect(put.headers.get('docker-content-digest')).toBe(digestOf(data));
  });

  it('supports chunked uploads, status, out-of-order chunks and sha512', async () => {
    const part1 = Buffer.from('0123456789');
    const part2 = Buffer.from('abcdef');
    const start = await fetch(url('/v2/lib/c/blobs/uploads/'), { method: 'POST' });
    const location = start.headers.get('location')!;
    const p1 = await fetch(url(location), { method: 'PATCH', body: part1, headers: { 'Content-Range': '0-9', 'Content-Type': 'application/octet-stream' } });
    expect(p1.status).toBe(202);
    expect(p1.headers.get('range')).toBe('0-9');
    const wrong = await fetch(url(location), { method: 'PATCH', body: part2, headers: { 'Content-Range': '20-25' } });
    expect(wrong.status).toBe(416);
    expect(wrong.headers.get('range')).toBe('0-9');
    const status = await fetch(url(location));
    expect(status.status).toBe(204);
    expect(status.headers.get('range')).toBe('0-9');
    const p2 = await fetch(url(location), { method: 'PATCH', body: part2, headers: { 'Content-Range': '10-15' } });
    expect(p2.headers.get('range')).toBe('0-15');
    const all = Buffer.concat([part1, part2]);
    const digest = digestOf(all, 'sha512');
    const done = await fetch(url(`${location}?digest=${digest}`), { method: 'PUT' });
    expect(done.status).toBe(201);
    const get = await fetch(url(`/v2/lib/c/blobs/${digest}`));
    expect(Buffer.from(await get.arrayBuffer()).equals(all)).toBe(true);
  });

  it('streams a chunk without Content-Range and cancels uploads', async () => {
    const start = await fetch(url('/v2/lib/d/blobs/uploads/'), { method: 'POST' });
    const location = start.headers.get('location')!;
    const p = await fetch(url(location), { method: 'PATCH', body: Buffer.alloc(1000, 7) });
    expect(p.headers.get('range')).toBe('0-999');
    const del = await fetch(url(location), { method: 'DELETE' });
    expect(del.status).toBe(204);
    const gone = await fetch(url(location));
    expect(gone.status).toBe(404);
    expect(await errorCode(gone)).toBe('BLOB_UPLOAD_UNKNOWN');
    const other = await fetch(url('/v2/lib/d/blobs/uploads/not-a-uuid'), { method: 'PATCH', body: 'x' });
    expect(await errorCode(other)).toBe('BLOB_UPLOAD_UNKNOWN');
  });

  it('does not let an upload of one repository be used through another', async () => {
    const start = await fetch(url('/v2/lib/e/blobs/uploads/'), { method: 'POST' });
    const id = start.headers.get('docker-upload-uuid')!;
    await fetch(url('/v2/lib/f/blobs/uploads/'), { method: 'POST' });
    const res = await fetch(url(`/v2/lib/f/blobs/uploads/${id}`));
    expect(res.status).toBe(404);
  });

  it('expires abandoned uploads', async () => {
    const start = await fetch(url('/v2/lib/g/blobs/uploads/'), { method: 'POST' });
    const location = start.headers.get('location')!;
    const n = await srv.registry.uploads.expire(new Date(Date.now() + 1000));
    expect(n).toBeGreaterThanOrEqual(1);
    expect((await fetch(url(location))).status).toBe(404);
  });

  it('mounts blobs across repositories, and falls back to an upload when the source lacks them', async () => {
    const digest = await pushBlob('lib/src', Buffer.from('mount me'));
    const mounted = await fetch(url(`/v2/lib/dst/blobs/uploads/?mount=${digest}&from=lib/src`), { method: 'POST' });
    expect(mounted.status).toBe(201);
    expect(mounted.headers.get('location')).toBe(`/v2/lib/dst/blobs/${digest}`);
    expect((await fetch(url(`/v2/lib/dst/blobs/${digest}`), { method: 'HEAD' })).status).toBe(200);
    const fallback = await fetch(url(`/v2/lib/dst2/blobs/uploads/?mount=${digestOf('absent')}&from=lib/src`), { method: 'POST' });
    expect(fallback.status).toBe(202);
  });

  it('deletes a blob from a repository', async () => {
    const digest = await pushBlob('lib/h', Buffer.from('delete me'));
    const del = await fetch(url(`/v2/lib/h/blobs/${digest}`), { method: 'DELETE' });
    expect(del.status).toBe(202);
    const head = await fetch(url(`/v2/lib/h/blobs/${digest}`), { method: 'HEAD' });
    expect(head.status).toBe(404);
  });

  it('answers unknown routes and methods with OCI errors', async () => {
    const r = await fetch(url('/v2/lib/a/whatever'));
    expect(r.status).toBe(404);
    expect(await errorCode(r)).toBe('UNSUPPORTED');
    const m = await fetch(url('/v2/lib/a/tags/list'), { method: 'DELETE' });
    expect(m.status).toBe(405);
    expect(await errorCode(m)).toBe('UNSUPPORTED');
  });

  it('serves health, readiness and metrics', async () => {
    expect((await fetch(url('/healthz'))).status).toBe(200);
    expect((await fetch(url('/readyz'))).status).toBe(200);
    const metrics = await (await fetch(url('/metrics'))).text();
    expect(metrics).toMatch(/portcullis_http_requests_total\{method="GET",route="v2:blob",status="200"\}/);
    expect(metrics).toMatch(/portcullis_process_cpu_seconds_total/);
  });
});
