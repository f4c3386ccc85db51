import { copyFileSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VulnDb } from '../vulndb/db/database.js';
import { importPath } from '../vulndb/importers/index.js';
import { writeOsvAdvisory } from './testing.js';
import { ReevaluationWatcher, dbFingerprint } from './watch.js';

let dir: string;
let path: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'portcullis-watch-'));
  path = join(dir, 'vulndb.sqlite');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function imported(id: string): void {
  const db = VulnDb.open(path);
  try {
    importPath(db, writeOsvAdvisory(dir, id, 'lodash', '4.17.21'));
  } finally {
    db.close();
  }
}

describe('ReevaluationWatcher', () => {
  it('runs when an import or a swapped-in file changes the DB, and not otherwise', async () => {
    expect(dbFingerprint(path)).toBeUndefined();
    const advisories: number[] = [];
    const w = new ReevaluationWatcher({ dbPath: path, intervalMs: 3_600_000, run: async (db) => advisories.push(db.counts().advisories) });
    w.start();
    await w.stop();
    // No DB yet: nothing ran.
    expect(advisories).toEqual([]);
    imported('GHSA-1');
    expect(await w.check()).toBe(1);
    expect(await w.check()).toBeUndefined();
    imported('GHSA-2');
    await w.check();
    // `db update` / `db pull` build a new file and rename it over the old one.
    const next = join(dir, 'next.sqlite');
    copyFileSync(path, next);
    renameSync(next, path);
    await w.check();
    expect(advisories).toEqual([1, 2, 2]);
    expect(await w.check()).toBeUndefined();
  });

  it('takes the current DB as the baseline when told not to run at start', async () => {
    imported('GHSA-1');
    let runs = 0;
    const w = new ReevaluationWatcher({ dbPath: path, runOnStart: false, intervalMs: 3_600_000, run: async () => ++runs });
    w.start();
    expect(await w.check()).toBeUndefined();
    await w.stop();
    expect(runs).toBe(0);
  });

  it('never overlaps runs: triggers during a run share one follow-up run', async () => {
    imported('GHSA-1');
    let active = 0;
    let peak = 0;
    let runs = 0;
    let release: () => void = () => undefined;
    const w = new ReevaluationWatcher({
      dbPath: path,
      run: async () => {
        active++;
        peak = Math.max(peak, active);
        runs++;
        if (runs === 1) await new Promise<void>((r) => (release = r));
        active--;
        return runs;
      },
    });
    const first = w.trigger();
    const followers = [w.trigger(), w.trigger(), w.trigger()];
    release();
    expect(await first).toBe(1);
    expect(await Promise.all(followers)).toEqual([2, 2, 2]);
    expect(runs).toBe(2);
    expect(peak).toBe(1);
  });
});
