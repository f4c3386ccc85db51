import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Command } from 'commander';
import { registerDb } from '../cli/commands/db.js';
import { dbPath, resolveCacheDir } from './db/paths.js';
import type { dbStatus } from './status.js';

let dir: string;
let out: string[];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'portcullis-cli-db-'));
  out = [];
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void out.push(args.join(' ')));
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => (out.push(String(s)), true));
});
afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
  rmSync(dir, { recursive: true, force: true });
});

async function run(...args: string[]): Promise<void> {
  const program = new Command('portcullis').exitOverride();
  registerDb(program);
  await program.parseAsync(['node', 'portcullis', ...args]);
}

describe('portcullis db', () => {
  it('import detects the format and status reports sources and counts', async () => {
    const feed = join(dir, 'feed');
    mkdirSync(feed);
    writeFileSync(
      join(feed, 'GHSA-1.json'),
      JSON.stringify({ id: 'GHSA-1', modified: '2024-01-01T00:00:00Z', affected: [{ package: { ecosystem: 'npm', name: 'a' }, versions: ['1.0.0'] }] }),
    );
    const cache = join(dir, 'cache');
    await run('db', 'import', feed, '--cache-dir', cache);
    expect(out.join('\n')).toMatch(/osv-dir -> osv:feed: 1 records, 1 new/);
    out.length = 0;
    await run('db', 'status', '--cache-dir', cache, '--json');
    const status = JSON.parse(out.join('')) as ReturnType<typeof dbStatus>;
    expect(status.counts?.advisories).toBe(1);
    expect(status.sources.map((s) => [s.name, s.kind, s.records, s.stale])).toEqual([['osv:feed', 'osv', 1, false]]);
    out.length = 0;
    await run('db', 'status', '--cache-dir', cache);
    expect(out.join('')).toMatch(/osv:feed\tosv\t.*\t2024-01-01T00:00:00Z\t1\t0\t/);
  });

  it('status says when there is no DB yet', async () => {
    await run('db', 'status', '--cache-dir', join(dir, 'empty'));
    expect(out.join('')).toMatch(/no vulnerability DB/);
    expect(process.exitCode).toBe(1);
  });

  it('resolves the cache directory from flag, environment, then home', () => {
    expect(resolveCacheDir('/x', { PORTCULLIS_CACHE_DIR: '/y' })).toBe('/x');
    expect(resolveCacheDir(undefined, { PORTCULLIS_CACHE_DIR: '/y' })).toBe('/y');
    expect(resolveCacheDir(undefined, {})).toMatch(/\.cache\/portcullis$/);
    expect(dbPath('/c')).toBe('/c/vulndb.sqlite');
  });
});
