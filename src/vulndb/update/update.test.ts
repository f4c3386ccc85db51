import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freePort } from '../../testing/net.js';
import { VulnDb } from '../db/database.js';
import { dbPath } from '../db/paths.js';
import { makeZip } from '../../testing/zip.js';
import { download } from './download.js';
import { parseFeedArg, updateDb } from './update.js';

const record = (id: string, name: string): string =>
  JSON.stringify({
    id,
    modified: '2024-01-01T00:00:00Z',
    affected: [{ package: { ecosystem: 'npm', name }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '9.9.9' }] }] }],
  });

// big enough that an interrupted transfer leaves a real partial file
const padding = Array.from({ length: 400 }, (_, i) => ({ name: `pad/${i}.txt`, data: `${i}`.repeat(500), store: true }));
let files: Record<string, Buffer>;
let interruptOnce: Set<string>;
let requests: { path: string; range?: string }[];
let server: Server;
let base: string;
let dir: string;

function serve(req: IncomingMessage, res: ServerResponse): void {
  const path = req.url ?? '/';
  const range = req.headers.range;
  requests.push({ path, ...(range ? { range } : {}) });
  const body = files[path];
  if (!body) {
    res.writeHead(404).end();
    return;
  }
  let start = 0;
  const m = range ? /^bytes=(\d+)-$/.exec(range) : null;
  if (m) start = Number(m[1]);
  const chunk = body.subarray(start);
  res.writeHead(m ? 206 : 200, { 'content-length': String(chunk.length), ...(m ? { 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` } : {}) });
  if (interruptOnce.has(path)) {
    interruptOnce.delete(path);
    res.write(chunk.subarray(0, Math.floor(chunk.length / 2)), () => res.socket?.destroy());
    return;
  }
  res.end(chunk);
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'portcullis-update-'));
  const zip1 = makeZip([{ name: 'GHSA-1.json', data: record('GHSA-1', 'left-pad') }, ...padding]);
  files = {
    '/npm/all.zip': zip1,
    '/npm/all.zip.sha256': Buffer.from(`${createHash('sha256').update(zip1).digest('hex')}  all.zip\n`),
    '/wrong.sha256': Buffer.from(`${'0'.repeat(64)}\n`),
    '/tracker.json': Buffer.from(
      JSON.stringify({ openssl: { 'CVE-1': { releases: { bookworm: { status: 'resolved', fixed_version: '3.0.0-1', urgency: 'low' } } } } }),
    ),
  };
  interruptOnce = new Set();
  requests = [];
  const port = await freePort();
  server = createServer(serve);
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  base = `http://127.0.0.1:${port}`;
});
afterEach(async () => {
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

describe('db update', () => {
  it('downloads feeds, verifies the published checksum and builds the DB', async () => {
    const progress: number[] = [];
    const result = await updateDb(
      dir,
      [
        { name: 'osv-npm', url: `${base}/npm/all.zip`, sha256Url: `${base}/npm/all.zip.sha256` },
        { name: 'debian-tracker', url: `${base}/tracker.json` },
      ],
      { onProgress: (p) => progress.push(p.received) },
    );
    expect(result.feeds.map((f) => [f.name, f.stats.format, f.stats.inserted])).toEqual([
      ['osv-npm', 'osv-zip', 1],
      ['debian-tracker', 'debian-tracker', 1],
    ]);
    expect(progress.length).toBeGreaterThan(0);
    const db = VulnDb.open(dbPath(dir), { readonly: true });
    expect(db.candidates('npm', 'left-pad')).toHaveLength(1);
    expect(db.candidates('Debian:12', 'openssl')).toHaveLength(1);
    db.close();
  });

  it('resumes an interrupted download with a Range request', async () => {
    interruptOnce.add('/npm/all.zip');
    const dest = join(dir, 'all.zip');
    await expect(download(`${base}/npm/all.zip`, dest)).rejects.toThrow(/interrupted|got \d+ of/);
    expect(existsSync(dest)).toBe(false);
    const partial = statSync(`${dest}.part`).size;
    expect(partial).toBeGreaterThan(0);
    const r = await download(`${base}/npm/all.zip`, dest);
    expect(r.resumed).toBe(true);
    expect(requests.at(-1)?.range).toBe(`bytes=${partial}-`);
    expect(readFileSync(dest).equals(files['/npm/all.zip']!)).toBe(true);
  });

  it('a failed update (bad checksum, interrupted or missing feed) leaves the old DB working', async () => {
    await updateDb(dir, [{ name: 'osv-npm', url: `${base}/npm/all.zip` }]);
    const before = readFileSync(dbPath(dir));
    files['/npm/all.zip'] = makeZip([{ name: 'GHSA-2.json', data: record('GHSA-2', 'right-pad') }, ...padding]);
    await expect(updateDb(dir, [{ name: 'osv-npm', url: `${base}/npm/all.zip`, sha256Url: `${base}/wrong.sha256` }])).rejects.toThrow(
      /does not match/,
    );
    interruptOnce.add('/npm/all.zip');
    await expect(updateDb(dir, [{ name: 'osv-npm', url: `${base}/npm/all.zip` }])).rejects.toThrow(/interrupted|got \d+ of/);
    await expect(updateDb(dir, [{ name: 'gone', url: `${base}/missing.zip` }])).rejects.toThrow(/HTTP 404/);
    expect(readFileSync(dbPath(dir)).equals(before)).toBe(true);
    const db = VulnDb.open(dbPath(dir), { readonly: true });
    expect(db.candidates('npm', 'left-pad')).toHaveLength(1);
    db.close();
    // and the next successful update resumes, then swaps in the new data
    await updateDb(dir, [{ name: 'osv-npm', url: `${base}/npm/all.zip` }]);
    const after = VulnDb.open(dbPath(dir), { readonly: true });
    expect(after.candidates('npm', 'right-pad')).toHaveLength(1);
    expect(after.candidates('npm', 'left-pad')).toHaveLength(0);
    after.close();
  });

  it('names feeds given on the command line', () => {
    expect(parseFeedArg('https://x.test/PyPI/all.zip')).toEqual({ name: 'osv-PyPI', url: 'https://x.test/PyPI/all.zip' });
    expect(parseFeedArg('deb=https://x.test/json')).toEqual({ name: 'deb', url: 'https://x.test/json' });
  });
});
