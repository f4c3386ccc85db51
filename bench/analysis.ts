/**
 * Image-analysis throughput against the plain tools: for every layer of each corpus image, the
 * engine's one-pass analysis (decompress + tar walk + all image analyzers) in MB/s of compressed
 * input, `gzip -dc | tar -t` (or `zstd -dc | tar -t`) on the same blob, their ratio, and the peak
 * RSS so far. Each corpus row is the best of `--runs` runs (default 3) of both, so one hiccup of
 * a busy machine does not decide the ratio. `--big` adds one generated layer of 1 GiB uncompressed
 * (gzip, written to a temp file once, deleted afterwards, measured once): run it once, not in loops.
 * Run: npx tsx bench/analysis.ts [--big] [--no-corpus] [--runs N] [tag...]
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pipeline } from 'node:stream/promises';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import * as tar from 'tar-stream';
import { ANALYZERS } from '../src/analysis/analyzers/index.js';
import { analyzeLayer } from '../src/analysis/engine/layer.js';
import { layerCompression } from '../src/image/mediatypes.js';
import { blobPath } from '../src/image/sources/oci-layout.js';
import { openOciLayout } from '../src/image/sources/index.js';
import { CORPUS_IMAGES, CORPUS_TAGS, hasCorpus } from '../src/testing/corpus.js';

const args = process.argv.slice(2);
const big = args.includes('--big');
const runsAt = args.indexOf('--runs');
const runs = runsAt >= 0 ? Math.max(1, Number(args[runsAt + 1]) || 1) : 3;
const tags = args.filter((a, i) => !a.startsWith('--') && !(runsAt >= 0 && i === runsAt + 1));

const mb = (bytes: number) => bytes / 1e6;
const rssMb = () => (process.resourceUsage().maxRSS / 1024).toFixed(0);

interface Row {
  what: string;
  sizeMb: number;
  engine: number;
  tarT: number;
  rss: string;
}

async function measure(what: string, file: string, mediaType: string, times = runs): Promise<Row> {
  const size = (await stat(file)).size;
  const decompress = layerCompression(mediaType) === 'zstd' ? 'zstd -dc' : layerCompression(mediaType) === 'gzip' ? 'gzip -dc' : 'cat';
  let engineS = Infinity;
  let tarS = Infinity;
  for (let i = 0; i < times; i++) {
    const t0 = performance.now();
    const facts = await analyzeLayer(createReadStream(file, { highWaterMark: 256 * 1024 }), { layerDigest: what, mediaType, analyzers: ANALYZERS });
    engineS = Math.min(engineS, (performance.now() - t0) / 1000);
    if (i === 0 && facts.warnings.some((w) => w.code.startsWith('layer-'))) console.error(`${what}: ${JSON.stringify(facts.warnings)}`);
    const t1 = performance.now();
    const r = spawnSync('sh', ['-c', `${decompress} "$1" | tar -t >/dev/null`, 'sh', file], { stdio: 'inherit' });
    tarS = Math.min(tarS, (performance.now() - t1) / 1000);
    if (r.status !== 0) console.error(`${decompress} | tar -t failed on ${what}`);
  }
  return { what, sizeMb: mb(size), engine: mb(size) / engineS, tarT: mb(size) / tarS, rss: rssMb() };
}

/** A gzip layer of `total` bytes of file content: a quarter random, the rest text-like. */
async function generateLayer(file: string, total: number): Promise<void> {
  const pack = tar.pack();
  const write = pipeline(Readable.from(pack), createGzip({ level: 6 }), createWriteStream(file));
  const fileSize = 1024 * 1024;
  const text = Buffer.from('Lorem ipsum dolor sit amet, consectetur adipiscing elit; package: demo version 1.0\n'.repeat(20_000)).subarray(0, (fileSize * 3) / 4);
  for (let i = 0; i * fileSize < total; i++) {
    const body = Buffer.concat([randomBytes(fileSize / 4), text]);
    await new Promise<void>((resolve, reject) => pack.entry({ name: `data/${Math.floor(i / 1000)}/f${i}.bin`, size: body.length }, body, (err) => (err ? reject(err) : resolve())));
  }
  pack.finalize();
  await write;
}

const rows: Row[] = [];
if (hasCorpus && !args.includes('--no-corpus')) {
  for (const tag of tags.length > 0 ? tags : CORPUS_TAGS) {
    const image = await openOciLayout(CORPUS_IMAGES, tag);
    for (const [i, layer] of image.layers.entries()) {
      rows.push(await measure(`${tag}[${i}] ${layer.digest.slice(7, 15)}`, blobPath(CORPUS_IMAGES, layer.digest), layer.mediaType));
    }
  }
} else if (!hasCorpus) console.error('corpus absent: only the generated layer can be measured');

if (big) {
  const dir = await mkdtemp(join(tmpdir(), 'portcullis-bench-'));
  try {
    const file = join(dir, 'big.tar.gz');
    const t = performance.now();
    await generateLayer(file, 1024 ** 3);
    console.error(`generated 1 GiB layer in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    rows.push(await measure('generated 1 GiB (gzip)', file, 'application/vnd.oci.image.layer.v1.tar+gzip', 1));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

console.log(['layer'.padEnd(34), 'MB in'.padStart(8), 'engine MB/s'.padStart(12), 'tar -t MB/s'.padStart(12), 'ratio'.padStart(7), 'peak RSS MB'.padStart(12)].join(' '));
for (const r of rows) {
  console.log(
    [r.what.padEnd(34), r.sizeMb.toFixed(1).padStart(8), r.engine.toFixed(1).padStart(12), r.tarT.toFixed(1).padStart(12), (r.engine / r.tarT).toFixed(2).padStart(7), r.rss.padStart(12)].join(' '),
  );
}
