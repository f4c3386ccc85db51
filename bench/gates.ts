/**
 * Security-gate benchmark: for the shared images, skopeo push time into Portcullis with the
 * gates on and off (a fresh server each, so the gates-on push includes analysing every new layer
 * as it arrives) and into Debian's docker-registry as the reference; then a second push of each
 * image into a new repository (layers known: skopeo mounts them). "Queue only" is Portcullis with
 * the gates on but without analysis during the upload (every layer goes through the job queue
 * after its upload, as before), for comparison under the same load. Each is the median of several
 * rounds (fresh servers each round, each given a second to settle before the first push): the
 * machine is shared, single runs are noisy. Then the
 * manifest PUT itself once the layers are analysed, as a new image each time (an annotation
 * changes the digest, the layers stay): HTTP latency with gates on and off, and the gate's own
 * time from the PUT reaching it to the decision (p50, p95); and the same manifest under new tags.
 * Last, for the largest layer of each image, its decompression alone and its whole analysis on
 * one thread: the floor a first push with the gates on cannot go below.
 *
 * Portcullis runs from the compiled dist/ (layer analysis in worker threads, as shipped):
 *
 * With `--link MBIT`, every push goes through a link of that many megabits per second (a
 * throttling proxy, bench/link.ts) instead of bare loopback: what a push costs over a real network,
 * where the analysis during upload can keep pace with the upload.
 *
 *   npm run build && npx tsx bench/gates.ts [--puts 20] [--rounds 3] [--link 1000]
 */
import { spawn } from 'node:child_process';
import { createReadStream, existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import { createGunzip } from 'node:zlib';
import pino from 'pino';
import type * as SchemaModule from '../src/config/schema.js';
import type * as AnalyseLayerModule from '../src/gates/analyse-layer.js';
import { blobPath } from '../src/image/sources/oci-layout.js';
import type * as ServeModule from '../src/server/serve.js';
import { containersEnv } from '../src/testing/containers.js';
import { CORPUS_IMAGES, CORPUS_TAGS, corpusPath, hasCorpus, REPO_ROOT } from '../src/testing/corpus.js';
import { VulnDb } from '../src/vulndb/db/database.js';
import { importPath } from '../src/vulndb/importers/index.js';
import { startLink } from './link.js';
import { run, startDistribution, table, timed } from './lib.js';

type Serve = typeof ServeModule;
type Schema = typeof SchemaModule;
type AnalyseLayer = typeof AnalyseLayerModule;

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) || fallback : fallback);
const PUTS = option('--puts', 20);
const ROUNDS = option('--rounds', 3);
const LINK = option('--link', 0);

/** A module of the compiled build (dist/), typed by its source. */
async function compiled<T>(path: string): Promise<T> {
  const file = resolve(REPO_ROOT, 'dist', path);
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` first`);
  return (await import(pathToFileURL(file).href)) as T;
}

function median(values: number[]): number {
  return percentile(values, 50);
}

function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? NaN;
}

const pct = (a: number, b: number) => `${(((a - b) / b) * 100).toFixed(1)}%`;

interface CorpusManifest {
  bytes: Buffer;
  mediaType: string;
  layers: { digest: string; size: number; mediaType: string }[];
}

/** The manifest of a tag in the corpus layout: bytes, media type and layers. */
async function corpusManifest(tag: string): Promise<CorpusManifest> {
  const index = JSON.parse(await readFile(join(CORPUS_IMAGES, 'index.json'), 'utf8')) as { manifests: { digest: string; mediaType: string; annotations?: Record<string, string> }[] };
  const entry = index.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === tag);
  if (!entry) throw new Error(`no ${tag} in the corpus`);
  const bytes = await readFile(blobPath(CORPUS_IMAGES, entry.digest));
  const layers = (JSON.parse(bytes.toString('utf8')) as { layers: CorpusManifest['layers'] }).layers;
  return { bytes, mediaType: entry.mediaType, layers };
}

/** Gates 'queue': on, but every layer left to the job queue after its upload (no analysis while uploading). */
async function portcullis(serve: Serve, schema: Schema, dir: string, gates: 'off' | 'queue' | 'on', cacheDir: string, decisions: number[]): Promise<Awaited<ReturnType<Serve['startServer']>>> {
  // The gate logs each decision with its duration: collected here for the percentiles.
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) {
        if (!line.includes('push gate decision')) continue;
        decisions.push((JSON.parse(line) as { durationMs: number }).durationMs);
      }
      done();
    },
  });
  const config = schema.serverConfigSchema.parse({
    addr: '127.0.0.1:0',
    dataDir: dir,
    auth: { enabled: false },
    audit: { pulls: false },
    gates: { enabled: gates !== 'off', cacheDir, ...(gates === 'queue' ? { streamingAnalyses: 0 } : {}) },
    // The default rules in warn mode: every push is judged in full, and accepted so it can be timed.
    policy: { default: { version: 1, mode: 'warn', push: { secrets: {}, vulnerabilities: { severity: 'CRITICAL', onlyFixed: true } } } },
    log: { level: 'info' },
  });
  return serve.startServer(config, { logger: pino({ level: 'info' }, sink), adminPassword: 'bench-admin-password' });
}

/** Decompression alone of a layer blob (zlib for gzip, the zstd program for zstd, as the engine does). */
async function decompressSeconds(file: string, mediaType: string): Promise<number> {
  const sink = () => new Writable({ write: (_c, _e, done) => done() });
  if (mediaType.endsWith('zstd')) {
    return timed(
      () =>
        new Promise<void>((done, fail) => {
          const child = spawn('zstd', ['-dc', file], { stdio: ['ignore', 'pipe', 'ignore'] });
          child.stdout.pipe(sink());
          child.once('error', fail);
          child.once('exit', (code) => (code === 0 ? done() : fail(new Error(`zstd exited ${code}`))));
        }),
    );
  }
  return timed(() => pipeline(createReadStream(file), createGunzip({ chunkSize: 64 * 1024 }), sink()));
}

async function main(): Promise<void> {
  if (!hasCorpus) throw new Error('the shared corpus is missing');
  const serve = await compiled<Serve>('server/serve.js');
  const schema = await compiled<Schema>('config/schema.js');
  const analyse = await compiled<AnalyseLayer>('gates/analyse-layer.js');
  const work = await mkdtemp(join(tmpdir(), 'portcullis-bench-gates-'));
  try {
    const env = await containersEnv(join(work, 'containers'));
    const cacheDir = join(work, 'cache');
    const db = VulnDb.open(join(cacheDir, 'vulndb.sqlite'));
    for (const p of ['osv/npm', 'osv/PyPI', 'debian/bookworm-subset.json']) importPath(db, corpusPath('vulndata', p));
    db.close();
    const push = (hostPort: string, repo: string, tag: string) =>
      timed(() => run('skopeo', ['copy', '-q', '--dest-tls-verify=false', `oci:${CORPUS_IMAGES}:${tag}`, `docker://${hostPort}/${repo}/${tag}:1`], { env }));
    /** Per image and registry, the push times of every round. */
    const first: Record<string, Record<string, number[]>> = {};
    const second: Record<string, Record<string, number[]>> = {};
    /** Per image, the first push's time from the manifest PUT reaching the gate to the decision (includes waiting for the analysis). */
    const firstDecision: Record<string, number[]> = {};
    const firstDecisionQueued: Record<string, number[]> = {};
    const putLatency: Record<string, number[]> = { on: [], off: [], retag: [] };
    const decisions: number[] = [];
    const record = (into: Record<string, Record<string, number[]>>, tag: string, name: string, t: number) => ((into[tag] ??= {})[name] ??= []).push(t);
    const pushAll = async (target: string, name: string, afterEach?: (tag: string) => void) => {
      const link = LINK > 0 ? await startLink(target, LINK) : undefined;
      const hostPort = link?.hostPort ?? target;
      try {
        await pushEach(hostPort, name, afterEach);
      } finally {
        await link?.close();
      }
    };
    const pushEach = async (hostPort: string, name: string, afterEach?: (tag: string) => void) => {
      for (const tag of CORPUS_TAGS) {
        record(first, tag, name, await push(hostPort, 'bench', tag));
        afterEach?.(tag);
      }
      for (const tag of CORPUS_TAGS) record(second, tag, name, await push(hostPort, 'again', tag));
    };

    // A server is up a moment before pushes reach it (Portcullis warms its analysis threads meanwhile).
    const settle = () => new Promise((r) => setTimeout(r, 1000));
    for (let round = 0; round < ROUNDS; round++) {
      const last = round === ROUNDS - 1;
      const distribution = await startDistribution(join(work, `distribution-${round}`));
      await settle();
      try {
        await pushAll(distribution.hostPort, 'distribution');
      } finally {
        await distribution.stop();
      }
      for (const mode of ['off', 'queue', 'on'] as const) {
        const collected: number[] = [];
        const srv = await portcullis(serve, schema, join(work, `portcullis-${mode}-${round}`), mode, cacheDir, collected);
        const hostPort = srv.url.replace(/^https?:\/\//, '');
        await settle();
        try {
          await pushAll(hostPort, mode, (tag) => {
            if (mode !== 'off') ((mode === 'on' ? firstDecision : firstDecisionQueued)[tag] ??= []).push(collected.at(-1) ?? NaN);
          });
          if (!last || mode === 'queue') continue;
          // Manifest PUTs once the layers are analysed: a new image each time (same layers), so each is analysed and gated.
          collected.length = 0;
          const put = async (repo: string, tag: string, bytes: Buffer | string, mediaType: string) => {
            const t = await timed(async () => {
              const res = await fetch(`${srv.url}/v2/${repo}/manifests/${tag}`, { method: 'PUT', headers: { 'content-type': mediaType }, body: bytes });
              await res.arrayBuffer();
              if (res.status !== 201) throw new Error(`PUT ${repo}:${tag}: ${res.status}`);
            });
            return t * 1000;
          };
          for (const tag of CORPUS_TAGS) {
            const m = await corpusManifest(tag);
            const doc = JSON.parse(m.bytes.toString('utf8')) as { annotations?: Record<string, string> };
            for (let i = 0; i < PUTS; i++) {
              const bytes = JSON.stringify({ ...doc, annotations: { ...doc.annotations, 'bench.portcullis.put': String(i) } });
              putLatency[mode]!.push(await put(`bench/${tag}`, `put-${i}`, bytes, m.mediaType));
            }
          }
          decisions.push(...(mode === 'on' ? collected : []));
          // The same manifest under new tags.
          for (const tag of CORPUS_TAGS) {
            const m = await corpusManifest(tag);
            for (let i = 0; i < PUTS && mode === 'on'; i++) putLatency.retag!.push(await put(`bench/${tag}`, `retag-${i}`, m.bytes, m.mediaType));
          }
        } finally {
          await srv.close();
        }
      }
    }

    // The floor of a first push with the gates on: the largest layer's decompression and analysis.
    const floorRows: (string | number)[][] = [];
    for (const tag of CORPUS_TAGS) {
      const m = await corpusManifest(tag);
      const largest = [...m.layers].sort((a, b) => b.size - a.size)[0]!;
      const file = blobPath(CORPUS_IMAGES, largest.digest);
      const decompress = await decompressSeconds(file, largest.mediaType);
      const analysis = await timed(() => analyse.analyseLayerBlob(largest.digest, createReadStream(file)));
      floorRows.push([tag, `${(largest.size / 1e6).toFixed(1)} MB ${largest.mediaType.endsWith('zstd') ? 'zstd' : 'gzip'}`, decompress, analysis, `${((decompress / analysis) * 100).toFixed(0)}%`, median(first[tag]!.on!), `${median(firstDecision[tag]!).toFixed(0)} ms`, `${median(firstDecisionQueued[tag]!).toFixed(0)} ms`]);
    }

    const rows = (times: Record<string, Record<string, number[]>>) =>
      CORPUS_TAGS.map((tag) => {
        const t = Object.fromEntries(Object.entries(times[tag]!).map(([k, v]) => [k, median(v)]));
        return [tag, t.distribution!, t.off!, t.queue!, t.on!, pct(t.on!, t.off!), pct(t.on!, t.distribution!)];
      });
    const pushHeaders = ['image', 'docker-registry', 'gates off', 'gates on, queue only', 'gates on', 'on vs off', 'on vs docker-registry'];
    const putRow = (what: string, values: number[]) => [what, String(values.length), percentile(values, 50), percentile(values, 95)];
    const putRows: (string | number)[][] = [
      putRow('manifest PUT of a new image, gates off', putLatency.off!),
      putRow('manifest PUT of a new image, gates on', putLatency.on!),
      putRow('gate: PUT reaches the gate → decision', decisions),
      putRow('manifest PUT, same image under a new tag, gates on', putLatency.retag!),
    ];
    const total = (times: Record<string, Record<string, number[]>>, k: string) => CORPUS_TAGS.reduce((sum, tag) => sum + median(times[tag]![k]!), 0);
    const totals = (times: Record<string, Record<string, number[]>>) =>
      `all five: docker-registry ${total(times, 'distribution').toFixed(3)} s, gates off ${total(times, 'off').toFixed(3)} s, gates on with the queue only ${total(times, 'queue').toFixed(3)} s, gates on ${total(times, 'on').toFixed(3)} s (on vs docker-registry ${pct(total(times, 'on'), total(times, 'distribution'))})`;

    const over = LINK > 0 ? `, over a ${LINK} Mbit/s link` : ', loopback';
    console.log(`\nfirst push of each image into a fresh registry (seconds, median of ${ROUNDS} rounds${over}; skopeo mounts layers an earlier image already pushed)\n`);
    console.log(table(pushHeaders, rows(first)));
    console.log(`\n${totals(first)}`);
    console.log(`\nsecond push of each image into a new repository (seconds, median of ${ROUNDS} rounds${over}; layers known, skopeo mounts them)\n`);
    console.log(table(pushHeaders, rows(second)));
    console.log(`\n${totals(second)} (target: within 10%)`);
    console.log('\nlargest layer of each image on one thread (seconds): decompression alone and the whole layer analysis, beside the first push with the gates on and its PUT → decision time (waiting for the analysis included), also when the layers were left to the queue\n');
    console.log(table(['image', 'largest layer', 'decompress', 'analyse', 'decompress share', 'push, gates on', 'PUT → decision', 'PUT → decision, queue only'], floorRows));
    console.log(`\nmanifest PUT with the layers already analysed (ms; ${PUTS} per image)\n`);
    console.log(table(['what', 'n', 'p50 ms', 'p95 ms'], putRows));
    const p50 = percentile(putLatency.on!, 50) - percentile(putLatency.off!, 50);
    console.log(`\ngates add ${p50.toFixed(1)} ms at p50 to the manifest PUT of a new image whose layers are analysed (target: at most 50 ms)`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

await main();
