/**
 * GC under concurrent pushes, end to end: two real servers sharing one database and one blob
 * directory, clients pushing over HTTP (re-using blobs GC is entitled to collect, deleting some
 * manifests, pausing past the grace period before some manifest PUTs) while a third party runs
 * GC in a loop with a short grace period. Afterwards every accepted manifest is complete and
 * readable, and storage holds exactly the blobs the surviving manifests reference.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MediaType } from '../image/mediatypes.js';
import type { MetadataConfig } from '../metadata/index.js';
import { createBlobStore } from '../storage/index.js';
import { startTestServer, type TestServer } from '../testing/server.js';
import { collectGarbage, type GcReport } from './gc.js';
import { openStore, postgresDialect, sha, sqliteDialect, type TestDialect } from './testing/dialects.js';

const GRACE_MS = 400;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Pushed {
  repo: string;
  digest: string;
  blobs: string[];
}

async function pushBlob(base: string, repo: string, data: Buffer, mountFrom?: string): Promise<void> {
  const digest = sha(data);
  const head = await fetch(`${base}/v2/${repo}/blobs/${digest}`, { method: 'HEAD' });
  if (head.status === 200) return;
  if (mountFrom) {
    const m = await fetch(`${base}/v2/${repo}/blobs/uploads/?mount=${digest}&from=${mountFrom}`, { method: 'POST' });
    await m.arrayBuffer();
    if (m.status === 201) return;
  }
  const res = await fetch(`${base}/v2/${repo}/blobs/uploads/?digest=${digest}`, { method: 'POST', body: data });
  const text = await res.text();
  if (res.status !== 201) throw new Error(`blob upload ${res.status}: ${text}`);
}

/** Pushes an image; retries from the blobs when GC took a link first (the PUT then fails cleanly). */
async function pushImage(base: string, repo: string, tag: string, layers: Buffer[], pauseMs: number): Promise<{ pushed: Pushed; retries: number }> {
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', repo, tag }));
  const doc = JSON.stringify({
    schemaVersion: 2,
    mediaType: MediaType.OciManifest,
    config: { mediaType: MediaType.OciConfig, digest: sha(config), size: config.length },
    layers: layers.map((l) => ({ mediaType: MediaType.OciLayerGzip, digest: sha(l), size: l.length })),
  });
  for (let attempt = 0; ; attempt++) {
    for (const [i, blob] of [config, ...layers].entries()) await pushBlob(base, repo, blob, i > 0 ? 'p/seed' : undefined);
    if (pauseMs > 0 && attempt === 0) await sleep(pauseMs);
    const res = await fetch(`${base}/v2/${repo}/manifests/${tag}`, { method: 'PUT', body: doc, headers: { 'Content-Type': MediaType.OciManifest } });
    const body = await res.text();
    if (res.status === 201) return { pushed: { repo, digest: sha(doc), blobs: [sha(config), ...layers.map((l) => sha(l))] }, retries: attempt };
    expect(res.status, body).toBe(404);
    expect(JSON.parse(body)).toMatchObject({ errors: [{ code: 'MANIFEST_BLOB_UNKNOWN' }] });
    if (attempt >= 5) throw new Error(`push of ${repo}:${tag} kept losing blobs to GC`);
  }
}

function gcUnderPushes(make: () => Promise<TestDialect>) {
  let dialect: TestDialect;
  beforeAll(async () => {
    dialect = await make();
  });
  afterAll(async () => {
    await dialect?.stop();
  });

  it('accepted manifests stay complete; storage ends with exactly the referenced blobs', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'portcullis-gc-'));
    const metadata: MetadataConfig = await dialect.config();
    const a: TestServer = await startTestServer({ dataDir, metadata });
    const b: TestServer = await startTestServer({ dataDir, metadata });
    const gcMeta = await openStore(metadata);
    const gcBlobs = await createBlobStore({ driver: 'filesystem', path: join(dataDir, 'blobs') });
    try {
      // Shared layers whose only link is a dangling one: GC may collect them at any moment.
      const shared = Array.from({ length: 6 }, (_, i) => Buffer.from(`shared layer ${i} `.repeat(50 + i)));
      for (const s of shared) await pushBlob(a.url, 'p/seed', s);
      await sleep(GRACE_MS + 100);

      const reports: GcReport[] = [];
      let pushing = true;
      const gcLoop = (async () => {
        while (pushing) {
          reports.push(await collectGarbage({ meta: gcMeta, blobs: gcBlobs }, { graceMs: GRACE_MS, batchSize: 7 }));
          await sleep(15);
        }
      })();

      const accepted: Pushed[] = [];
      const deleted: Pushed[] = [];
      let retries = 0;
      await Promise.all(
        Array.from({ length: 6 }, async (_, w) => {
          const base = w % 2 ? b.url : a.url;
          for (let i = 0; i < 4; i++) {
            const layers = [Buffer.from(`unique ${w}/${i} `.repeat(30)), shared[(w + i) % shared.length]!, shared[(w * 3 + i) % shared.length]!];
            const pause = (w + i) % 3 === 0 ? GRACE_MS + 300 : 0;
            const r = await pushImage(base, `p/app${w}`, `t${i}`, layers, pause);
            retries += r.retries;
            if (i % 2 === 1) {
              const del = await fetch(`${base}/v2/p/app${w}/manifests/${r.pushed.digest}`, { method: 'DELETE' });
              expect(del.status).toBe(202);
              deleted.push(r.pushed);
            } else {
              accepted.push(r.pushed);
            }
          }
        }),
      );
      pushing = false;
      await gcLoop;

      // Every accepted manifest is complete, through either server.
      for (const [i, m] of accepted.entries()) {
        const base = i % 2 ? a.url : b.url;
        const res = await fetch(`${base}/v2/${m.repo}/manifests/${m.digest}`, { headers: { Accept: MediaType.OciManifest } });
        expect(res.status).toBe(200);
        await res.arrayBuffer();
        for (const d of m.blobs) {
          const blob = await fetch(`${base}/v2/${m.repo}/blobs/${d}`);
          expect(blob.status, `${m.repo} ${d}`).toBe(200);
          expect(sha(Buffer.from(await blob.arrayBuffer()))).toBe(d);
        }
      }
      const collected = reports.flatMap((r) => r.blobs.map((x) => x.digest));
      const links = reports.flatMap((r) => r.links);
      expect(links.length).toBeGreaterThan(0);
      expect(collected.length).toBeGreaterThan(0);
      expect(reports.flatMap((r) => r.errors)).toEqual([]);

      // Once everything is older than the grace period, GC leaves exactly what survivors reference.
      await sleep(GRACE_MS + 100);
      await collectGarbage({ meta: gcMeta, blobs: gcBlobs }, { graceMs: GRACE_MS });
      const referenced = new Set(accepted.flatMap((m) => m.blobs));
      const stored = new Set<string>();
      for await (const d of gcBlobs.list()) stored.add(d);
      expect([...stored].sort()).toEqual([...referenced].sort());
      const gone = deleted.flatMap((m) => m.blobs).filter((d) => !referenced.has(d));
      expect(gone.length).toBeGreaterThan(0);
      // Pushes that paused past the grace period lost links to GC and failed cleanly, then succeeded.
      expect(retries).toBeGreaterThan(0);
    } finally {
      await a.stop();
      await b.stop();
      await gcMeta.close();
      await gcBlobs.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
}

describe('GC under concurrent pushes: sqlite', () => gcUnderPushes(sqliteDialect));
describe('GC under concurrent pushes: postgres', () => gcUnderPushes(postgresDialect));
