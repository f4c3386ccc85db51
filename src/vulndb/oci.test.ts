import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RegistryClient, parseReference } from '../image/client/index.js';
import { VulnDb } from './db/database.js';
import { VULNDB_ARTIFACT_TYPE, pullDb, pushDb } from './oci.js';
import { MiniRegistry } from './testing/mini-registry.js';

let dir: string;
let registry: MiniRegistry;
let client: RegistryClient;
let host: string;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'portcullis-vulndb-oci-'));
  registry = new MiniRegistry();
  host = await registry.start();
  client = new RegistryClient({ registry: host });
});
afterEach(async () => {
  await client.close();
  await registry.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('DB as an OCI artifact', () => {
  it('push then pull round-trips the DB and swaps it in', async () => {
    const src = join(dir, 'a', 'vulndb.sqlite');
    const db = VulnDb.open(src);
    db.importFrom({ name: 's', kind: 'osv', origin: 'x' }, [
      { type: 'advisory', record: { namespace: 'osv', id: 'GHSA-1', aliases: [], cvss: [], references: [], affected: [{ ecosystem: 'npm', name: 'a', ranges: [], versions: ['1.0.0'] }] } },
    ]);
    db.close();
    const ref = parseReference(`${host}/security/vulndb:latest`);
    const pushed = await pushDb(client, ref, src);
    const stored = registry.manifests.get('security/vulndb:latest');
    expect(JSON.parse(stored!.bytes.toString()).artifactType).toBe(VULNDB_ARTIFACT_TYPE);
    const target = join(dir, 'b', 'vulndb.sqlite');
    const pulled = await pullDb(client, ref, target);
    expect(pulled.digest).toBe(pushed.digest);
    const copy = VulnDb.open(target, { readonly: true });
    expect(copy.candidates('npm', 'a').map((c) => c.advisoryId)).toEqual(['GHSA-1']);
    copy.close();
    // a corrupted blob is caught while streaming and the pulled copy stays as it was
    registry.corrupt.add(pushed.layerDigest);
    const before = readFileSync(target);
    await expect(pullDb(client, ref, target)).rejects.toThrow();
    expect(readFileSync(target).equals(before)).toBe(true);
    expect(readdirSync(join(dir, 'b'))).toEqual(['vulndb.sqlite']);
  });

  it('refuses artifacts that are not a vulnerability DB and keeps the old file', async () => {
    const ref = parseReference(`${host}/other/thing:latest`);
    const manifest = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: {}, layers: [] };
    await client.putManifest(ref.repository, 'latest', Buffer.from(JSON.stringify(manifest)), 'application/vnd.oci.image.manifest.v1+json');
    await expect(pullDb(client, ref, join(dir, 'vulndb.sqlite'))).rejects.toThrow(/not a Portcullis vulnerability DB artifact/);
  });
});

describe('portcullis db push / db pull', () => {
  it('carries the DB between cache directories through a registry', async () => {
    const { Command } = await import('commander');
    const { registerDb } = await import('../cli/commands/db.js');
    const run = async (...args: string[]): Promise<void> => {
      const program = new Command('portcullis').exitOverride();
      registerDb(program);
      await program.parseAsync(['node', 'portcullis', ...args]);
    };
    const logs: string[] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void logs.push(a.join(' ')));
    try {
      const a = join(dir, 'cache-a');
      const db = VulnDb.open(join(a, 'vulndb.sqlite'));
      db.importFrom({ name: 's', kind: 'osv', origin: 'x' }, [
        { type: 'advisory', record: { namespace: 'osv', id: 'GHSA-9', aliases: [], cvss: [], references: [], affected: [] } },
      ]);
      db.close();
      await run('db', 'push', `${host}/sec/vulndb:1`, '--cache-dir', a);
      await run('db', 'pull', `${host}/sec/vulndb:1`, '--cache-dir', join(dir, 'cache-b'));
      expect(logs.join('\n')).toMatch(/pushed \d+ bytes as sec\/vulndb@sha256:[0-9a-f]{64}[\s\S]*pulled \d+ bytes/);
      const b = VulnDb.open(join(dir, 'cache-b', 'vulndb.sqlite'), { readonly: true });
      expect(b.counts().advisories).toBe(1);
      b.close();
    } finally {
      spy.mockRestore();
    }
  });
});
