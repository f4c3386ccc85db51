import { randomBytes } from 'node:crypto';
import { mkdtemp, open, rm, truncate, writeFile } from 'node:fs/promises';
import { createServer, get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FILE_CHUNK, FileRangeStream } from './file-stream.js';
import { readAll } from './testing/streams.js';

let dir: string;
const files: { path: string; data: Buffer }[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'portcullis-file-stream-'));
  // Several chunks and an odd tail, different bytes per file: a reused buffer lent to the wrong
  // response, or recycled too early, shows up as a mismatch.
  for (let i = 0; i < 4; i++) {
    const data = randomBytes(3 * FILE_CHUNK + 1000 * (i + 1));
    const path = join(dir, `f${i}`);
    await writeFile(path, data);
    files.push({ path, data });
  }
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function streamOf(i: number, start = 0, end = Infinity): Promise<FileRangeStream> {
  return new FileRangeStream(await open(files[i]!.path, 'r'), start, end);
}

function closed(stream: FileRangeStream): Promise<void> {
  return stream.closed ? Promise.resolve() : new Promise((resolve) => stream.once('close', () => resolve()));
}

describe('FileRangeStream read as a stream', () => {
  it('yields the whole file, and exactly the bytes of a range', async () => {
    const { data } = files[0]!;
    expect((await readAll(await streamOf(0))).equals(data)).toBe(true);
    const start = FILE_CHUNK - 7;
    const end = 2 * FILE_CHUNK + 13;
    expect((await readAll(await streamOf(0, start, end))).equals(data.subarray(start, end))).toBe(true);
    expect((await readAll(await streamOf(0, 5, 6))).equals(data.subarray(5, 6))).toBe(true);
  });

  it('piped into a stream that keeps its chunks, hands over buffers nobody reuses', async () => {
    // PassThrough calls back while the chunk still sits in its readable side; recycling the
    // buffer then would overwrite data not read yet.
    const sink = new PassThrough({ highWaterMark: 64 * FILE_CHUNK });
    const stream = await streamOf(1);
    stream.pipe(sink);
    await new Promise((resolve) => sink.once('finish', resolve));
    expect((await readAll(sink)).equals(files[1]!.data)).toBe(true);
  });

  it('fails when the file is shorter than the range it was opened for', async () => {
    const path = join(dir, 'short');
    await writeFile(path, randomBytes(FILE_CHUNK + 10));
    const stream = new FileRangeStream(await open(path, 'r'), 0, 2 * FILE_CHUNK);
    await truncate(path, 100);
    await expect(readAll(stream)).rejects.toThrow(/ended .* early/);
  });
});

describe('FileRangeStream piped into an HTTP response', () => {
  let server: Server;
  let base: string;
  const served: FileRangeStream[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const i = Number(url.searchParams.get('file'));
      const start = Number(url.searchParams.get('start') ?? 0);
      const end = url.searchParams.has('end') ? Number(url.searchParams.get('end')) : Infinity;
      void streamOf(i, start, end).then((stream) => {
        served.push(stream);
        stream.on('error', () => res.destroy());
        stream.pipe(res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  const fetchBytes = async (query: string) => Buffer.from(await (await fetch(`${base}/?${query}`)).arrayBuffer());

  it('delivers every response intact while many share the recycled buffers', async () => {
    const jobs = [];
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < files.length; i++) {
        jobs.push(fetchBytes(`file=${i}`).then((got) => expect(got.equals(files[i]!.data)).toBe(true)));
        const start = 1000 * round + i;
        const end = start + FILE_CHUNK * 2 + 333;
        jobs.push(fetchBytes(`file=${i}&start=${start}&end=${end}`).then((got) => expect(got.equals(files[i]!.data.subarray(start, end))).toBe(true)));
      }
    }
    await Promise.all(jobs);
    // Each stream ended and closed its file handle.
    await Promise.all(served.map(closed));
    expect(served.every((s) => s.readableEnded)).toBe(true);
  });

  it('stops and closes its file when the client goes away mid-body', async () => {
    const before = served.length;
    await new Promise<void>((resolve, reject) => {
      const req = get(`${base}/?file=2`, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', (err) => (req.destroyed ? undefined : reject(err)));
    });
    const stream = served[before]!;
    await closed(stream);
    expect(stream.destroyed).toBe(true);
    expect(stream.readableEnded).toBe(false);
  });
});
