import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VulnDb } from './db/database.js';
import { importInWorker } from './import-pool.js';
import { bundleImportWorkerForTests } from './testing/worker-bundle.js';

let workerFile: string;
let dir: string;
beforeAll(async () => {
  workerFile = await bundleImportWorkerForTests();
  dir = mkdtempSync(join(tmpdir(), 'portcullis-import-worker-'));
});
afterAll(() => {
  rmSync(dirname(workerFile), { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
});

describe('importInWorker', () => {
  it('imports a feed on a worker thread into the DB file', async () => {
    const feed = join(dir, 'feed');
    mkdirSync(feed);
    writeFileSync(
      join(feed, 'GHSA-w.json'),
      JSON.stringify({ id: 'GHSA-w', modified: '2024-01-01T00:00:00Z', affected: [{ package: { ecosystem: 'npm', name: 'w' }, versions: ['1.0.0'] }] }),
    );
    const dbFile = join(dir, 'vulndb.sqlite');
    const stats = await importInWorker({ dbFile, path: feed }, { workerFile });
    expect([stats.format, stats.inserted]).toEqual(['osv-dir', 1]);
    const db = VulnDb.open(dbFile, { readonly: true });
    expect(db.candidates('npm', 'w').map((c) => c.advisoryId)).toEqual(['GHSA-w']);
    db.close();
    await expect(importInWorker({ dbFile, path: join(dir, 'missing') }, { workerFile })).rejects.toThrow(/ENOENT/);
  });
});
