/**
 * Registry benchmark: Portcullis vs Debian's docker-registry (distribution 2.8.2), side by side
 * on loopback. Prints push/pull time (median of 5, skopeo) for the shared images and a generated
 * 1 GiB image of 8 layers, and manifest GET/HEAD requests per second at 1 and 64 connections.
 *
 *   npm run build && npx tsx bench/registry.ts [--runs 5] [--skip-big]
 */
import { Pool } from 'undici';
import { mkdtemp, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CORPUS_IMAGES, CORPUS_TAGS, hasCorpus } from '../src/testing/corpus.js';
import { containersEnv } from '../src/testing/containers.js';
import { makeBigImage } from './big-image.js';
import { median, run, startDistribution, startPortcullis, table, timed, type RegistryProcess } from './lib.js';

const args = process.argv.slice(2);
const RUNS = Number(args[args.indexOf('--runs') + 1] || 5) || 5;
const SKIP_BIG = args.includes('--skip-big');

/** Requests per second over `seconds`, with `connections` keep-alive connections each running one request at a time. */
async function rps(url: string, method: 'GET' | 'HEAD', connections: number, seconds = 5): Promise<number> {
  const { origin, pathname } = new URL(url);
  const pool = new Pool(origin, { connections, pipelining: 1 });
  const headers = { accept: 'application/vnd.oci.image.manifest.v1+json,application/vnd.docker.distribution.manifest.v2+json' };
  const deadline = Date.now() + seconds * 1000;
  let count = 0;
  const worker = async () => {
    while (Date.now() < deadline) {
      const res = await pool.request({ path: pathname, method, headers });
      await res.body.dump();
      if (res.statusCode !== 200) throw new Error(`${method} ${url}: ${res.statusCode}`);
      count++;
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
  await pool.close();
  return count / seconds;
}

/** containers/image's blob-info cache: root's lives outside HOME, so it is removed between runs. */
async function forgetClientCache(): Promise<void> {
  for (const dir of ['/var/lib/containers/cache', join(homedir(), '.local/share/containers/cache')]) {
    for (const name of ['blob-info-cache-v1.boltdb', 'blob-info-cache-v1.sqlite']) await rm(join(dir, name), { force: true });
  }
}

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'portcullis-bench-'));
  const env = await containersEnv(join(work, 'containers'));
  const images: { name: string; src: string }[] = [];
  if (hasCorpus) for (const tag of CORPUS_TAGS) images.push({ name: tag, src: `oci:${CORPUS_IMAGES}:${tag}` });
  if (!SKIP_BIG) images.push({ name: '1gib-8-layers', src: `oci:${await makeBigImage(join(work, 'big'))}:big` });

  const registries: RegistryProcess[] = [await startPortcullis(join(work, 'portcullis')), await startDistribution(join(work, 'distribution'))];
  const rows: (string | number)[][] = [];
  try {
    for (const img of images) {
      const times: Record<string, { push: number[]; pull: number[] }> = {};
      for (const reg of registries) times[reg.name] = { push: [], pull: [] };
      // Runs alternate between the registries (and which goes first), so a change in the
      // machine's load during the benchmark weighs on both sides alike.
      for (let i = 0; i < RUNS; i++) {
        for (const reg of i % 2 === 0 ? registries : [...registries].reverse()) {
          // A fresh repository and a fresh client cache each run: every blob really travels
          // (with its blob-info cache, skopeo would mount blobs from the previous run's repository).
          await forgetClientCache();
          const runEnv = { ...env, HOME: join(work, `home-${reg.name}-${img.name}-${i}`) };
          const ref = `docker://${reg.hostPort}/bench/${img.name}-${i}:t`;
          times[reg.name]!.push.push(await timed(() => run('skopeo', ['copy', '-q', '--dest-tls-verify=false', img.src, ref], { env: runEnv, maxBuffer: 1 << 24 })));
          const out = join(work, `pull-${reg.name}-${img.name}-${i}`);
          times[reg.name]!.pull.push(await timed(() => run('skopeo', ['copy', '-q', '--src-tls-verify=false', ref, `oci:${out}:t`], { env: runEnv, maxBuffer: 1 << 24 })));
          await rm(out, { recursive: true, force: true });
        }
      }
      for (const op of ['push', 'pull'] as const) {
        const p = median(times.portcullis![op]);
        const d = median(times.distribution![op]);
        rows.push([`${op} ${img.name} (s)`, p, d, p / d]);
      }
    }
    const manifestImage = images[0]!;
    for (const method of ['GET', 'HEAD'] as const) {
      for (const connections of [1, 64]) {
        const r: number[] = [];
        for (const reg of registries) r.push(await rps(`http://${reg.hostPort}/v2/bench/${manifestImage.name}-0/manifests/t`, method, connections));
        rows.push([`manifest ${method} req/s, ${connections} conn`, r[0]!, r[1]!, r[0]! / r[1]!]);
      }
    }
  } finally {
    for (const reg of registries) await reg.stop();
    await rm(work, { recursive: true, force: true });
  }
  console.log(table(['measure', 'portcullis', 'distribution 2.8.2', 'ratio P/D'], rows));
  console.log('\nratio: for times lower is better for Portcullis; for req/s higher is better.');
}

await main();
