/**
 * Security-gate benchmark: for the shared images, skopeo push time into Portcullis with the
 * gates on and off (a fresh server each, so the gates-on push includes analysing every layer as
 * it arrives) and into Debian's docker-registry as the reference; then the manifest PUT itself,
 * repeated under new tags once the layers are analysed: HTTP latency with gates on and off, and
 * the gate's own time from the PUT reaching it to the decision (p50, p95).
 *
 *   npx tsx bench/gates.ts [--puts 20]
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { serverConfigSchema } from '../src/config/schema.js';
import { blobPath } from '../src/image/sources/oci-layout.js';
import { startServer, type RunningServer } from '../src/server/serve.js';
import { containersEnv } from '../src/testing/containers.js';
import { CORPUS_IMAGES, CORPUS_TAGS, corpusPath, hasCorpus } from '../src/testing/corpus.js';
import { VulnDb } from '../src/vulndb/db/database.js';
import { importPath } from '../src/vulndb/importers/index.js';
import { run, startDistribution, table, timed } from './lib.js';

const args = process.argv.slice(2);
const PUTS = Number(args[args.indexOf('--puts') + 1] || 20) || 20;

function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? NaN;
}

/** The digest of a tag in the corpus layout and its manifest bytes and media type. */
async function corpusManifest(tag: string): Promise<{ bytes: Buffer; mediaType: string }> {
  const index = JSON.parse(await readFile(join(CORPUS_IMAGES, 'index.json'), 'utf8')) as { manifests: { digest: string; mediaType: string; annotations?: Record<string, string> }[] };
  const entry = index.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === tag);
  if (!entry) throw new Error(`no ${tag} in the corpus`);
  return { bytes: await readFile(blobPath(CORPUS_IMAGES, entry.digest)), mediaType: entry.mediaType };
}

async function portcullis(dir: string, gates: boolean, cacheDir: string, decisions: number[]): Promise<RunningServer> {
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
  const config = serverConfigSchema.parse({
    addr: '127.0.0.1:0',
    dataDir: dir,
    auth: { enabled: false },
    audit: { pulls: false },
    gates: { enabled: gates, cacheDir },
    // The default rules in warn mode: every push is judged in full, and accepted so it can be timed.
    policy: { default: { version: 1, mode: 'warn', push: { secrets: {}, vulnerabilities: { severity: 'CRITICAL', onlyFixed: true } } } },
    log: { level: 'info' },
  });
  return startServer(config, { logger: pino({ level: 'info' }, sink), adminPassword: 'bench-admin-password' });
}

async function main(): Promise<void> {
  if (!hasCorpus) throw new Error('the shared corpus is missing');
  const work = await mkdtemp(join(tmpdir(), 'portcullis-bench-gates-'));
  try {
    const env = await containersEnv(join(work, 'containers'));
    const cacheDir = join(work, 'cache');
    const db = VulnDb.open(join(cacheDir, 'vulndb.sqlite'));
    for (const p of ['osv/npm', 'osv/PyPI', 'debian/bookworm-subset.json']) importPath(db, corpusPath('vulndata', p));
    db.close();
    const push = (hostPort: string, tag: string) =>
      timed(() => run('skopeo', ['copy', '-q', '--dest-tls-verify=false', `oci:${CORPUS_IMAGES}:${tag}`, `docker://${hostPort}/bench/${tag}:1`], { env }));

    const pushRows: (string | number)[][] = [];
    const putRows: (string | number)[][] = [];
    const pushTimes: Record<string, Record<string, number>> = {};
    const putLatency: Record<string, number[]> = { on: [], off: [] };
    const decisions: number[] = [];

    const distribution = await startDistribution(join(work, 'distribution'));
    try {
      for (const tag of CORPUS_TAGS) (pushTimes[tag] ??= {}).distribution = await push(distribution.hostPort, tag);
    } finally {
      await distribution.stop();
    }
    for (const mode of ['off', 'on'] as const) {
      const collected: number[] = [];
      const srv = await portcullis(join(work, `portcullis-${mode}`), mode === 'on', cacheDir, collected);
      const hostPort = srv.url.replace(/^https?:\/\//, '');
      try {
        for (const tag of CORPUS_TAGS) (pushTimes[tag] ??= {})[mode] = await push(hostPort, tag);
        collected.length = 0;
        // Manifest PUTs once the layers are analysed (each a new tag, so each is gated again).
        for (const tag of CORPUS_TAGS) {
          const m = await corpusManifest(tag);
          for (let i = 0; i < PUTS; i++) {
            const t = await timed(async () => {
              const res = await fetch(`${srv.url}/v2/bench/${tag}/manifests/put-${i}`, { method: 'PUT', headers: { 'content-type': m.mediaType }, body: m.bytes });
              await res.arrayBuffer();
              if (res.status !== 201) throw new Error(`PUT ${tag}: ${res.status}`);
            });
            putLatency[mode]!.push(t * 1000);
          }
        }
        decisions.push(...collected);
      } finally {
        await srv.close();
      }
    }
    for (const tag of CORPUS_TAGS) {
      const t = pushTimes[tag]!;
      pushRows.push([tag, t.distribution!, t.off!, t.on!, `${(((t.on! - t.off!) / t.off!) * 100).toFixed(1)}%`, `${(((t.on! - t.distribution!) / t.distribution!) * 100).toFixed(1)}%`]);
    }
    for (const mode of ['off', 'on'] as const) putRows.push([`manifest PUT, gates ${mode}`, putLatency[mode]!.length, percentile(putLatency[mode]!, 50), percentile(putLatency[mode]!, 95)]);
    putRows.push(['gate: PUT reaches the gate → decision', decisions.length, percentile(decisions, 50), percentile(decisions, 95)]);
    console.log('\nskopeo push into a fresh registry (seconds)\n');
    console.log(table(['image', 'docker-registry', 'gates off', 'gates on', 'on vs off', 'on vs docker-registry'], pushRows));
    console.log(`\nmanifest PUT with the layers already analysed (ms; ${PUTS} per image)\n`);
    console.log(table(['what', 'n', 'p50 ms', 'p95 ms'], putRows));
    const p50 = percentile(putLatency.on!, 50) - percentile(putLatency.off!, 50);
    console.log(`\ngates add ${p50.toFixed(1)} ms at p50 to the manifest PUT (target: at most 50 ms)`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

await main();
