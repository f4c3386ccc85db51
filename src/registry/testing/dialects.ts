/** The two metadata dialects for lifecycle tests: SQLite files and databases of one throwaway PostgreSQL. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe } from 'vitest';
import { FilesystemBlobStore } from '../../storage/index.js';
import { Registry, type LifecycleOptions, type RegistryHooks } from '../registry.js';
import { createMetadataStore, type KyselyMetadataStore, type MetadataConfig } from '../../metadata/index.js';
import { startPostgres, type PostgresServer } from '../../testing/postgres.js';

export interface TestDialect {
  name: 'sqlite' | 'postgres';
  /** A fresh, empty database's config. */
  config(): Promise<MetadataConfig>;
  stop(): Promise<void>;
}

let counter = 0;

export async function sqliteDialect(): Promise<TestDialect> {
  const root = await mkdtemp(join(tmpdir(), 'portcullis-lc-'));
  return {
    name: 'sqlite',
    config: async () => ({ driver: 'sqlite', path: join(root, `db${++counter}`, 'metadata.db') }),
    stop: () => rm(root, { recursive: true, force: true }),
  };
}

export async function postgresDialect(): Promise<TestDialect> {
  const server: PostgresServer = await startPostgres();
  return {
    name: 'postgres',
    config: async () => ({ driver: 'postgres', url: await server.createDatabase(`lc_${process.pid}_${++counter}`), poolSize: 8 }),
    stop: () => server.stop(),
  };
}

export async function openStore(config: MetadataConfig, now?: () => number): Promise<KyselyMetadataStore> {
  const store = await createMetadataStore(config, now ? { now } : {});
  await store.migrate();
  return store;
}

export function sha(text: string | Buffer): string {
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}

/** A settable clock for tests. */
export function testClock(start = Date.UTC(2026, 0, 1)): { now: () => number; advance(ms: number): void } {
  let t = start;
  return {
    now: () => t,
    advance(ms) {
      t += ms;
    },
  };
}

/** A Registry on a fresh database of the dialect and a temporary filesystem blob store, sharing one clock. */
export async function testRegistry(
  dialect: TestDialect,
  clock = testClock(),
  lifecycle: LifecycleOptions = {},
  hooks: RegistryHooks = {},
) {
  const dir = await mkdtemp(join(tmpdir(), 'portcullis-lcb-'));
  const meta = await openStore(await dialect.config(), clock.now);
  const blobs = await FilesystemBlobStore.open(dir);
  const registry = new Registry({ blobs, meta, hooks, lifecycle: { now: clock.now, ...lifecycle } });

  async function blob(repo: string, data: string | Buffer): Promise<string> {
    const buf = Buffer.from(data);
    const digest = sha(buf);
    await registry.putBlob(repo, digest, Readable.from([buf]));
    return digest;
  }

  /** Pushes config + layers (strings) and the manifest; returns its digest. */
  async function image(repo: string, ref: string, layers: string[], extra: Record<string, unknown> = {}): Promise<string> {
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', layers, ref }));
    const descs = [];
    for (const l of layers) descs.push({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: await blob(repo, l), size: Buffer.byteLength(l) });
    const doc = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: await blob(repo, config), size: config.length },
        layers: descs,
        ...extra,
      }),
    );
    return (await registry.putManifest(repo, ref, doc, 'application/vnd.oci.image.manifest.v1+json')).digest;
  }

  return {
    registry,
    meta,
    blobs,
    clock,
    blob,
    image,
    async close() {
      await blobs.close();
      await meta.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Runs `body` once per dialect, each in its own describe block with the dialect started once. */
export function forEachDialect(title: string, body: (get: () => TestDialect) => void): void {
  for (const make of [sqliteDialect, postgresDialect]) {
    describeDialect(title, make, body);
  }
}

function describeDialect(title: string, make: () => Promise<TestDialect>, body: (get: () => TestDialect) => void): void {
  const name = make === sqliteDialect ? 'sqlite' : 'postgres';
  describe(`${title}: ${name}`, () => {
    let d: TestDialect | undefined;
    beforeAll(async () => {
      d = await make();
    });
    afterAll(async () => {
      await d?.stop();
    });
    body(() => {
      if (!d) throw new Error('dialect not started');
      return d;
    });
  });
}
