import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VulnDb } from './database.js';
import { rebuildAtomically } from './swap.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'portcullis-vulndb-db-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const record = (id: string) => ({ namespace: 'osv', id, aliases: [], cvss: [], references: [], affected: [] });

describe('VulnDb files', () => {
  it('a rebuild that fails leaves the old file untouched and no temporary files behind', async () => {
    const target = join(dir, 'vulndb.sqlite');
    await rebuildAtomically(target, (db) => db.importFrom({ name: 's', kind: 'osv', origin: 'x' }, [{ type: 'advisory', record: record('A') }]));
    const before = readFileSync(target);
    await expect(
      rebuildAtomically(target, (db) => {
        db.importFrom({ name: 's', kind: 'osv', origin: 'x' }, [{ type: 'advisory', record: record('B') }]);
        throw new Error('feed went away');
      }),
    ).rejects.toThrow('feed went away');
    expect(readFileSync(target).equals(before)).toBe(true);
    expect(readdirSync(dir)).toEqual(['vulndb.sqlite']);
    // a reader that had the old file open keeps working across a successful swap
    const reader = VulnDb.open(target, { readonly: true });
    await rebuildAtomically(target, (db) => db.importFrom({ name: 's', kind: 'osv', origin: 'x' }, [{ type: 'advisory', record: record('C') }]));
    expect(reader.counts().advisories).toBe(1);
    reader.close();
    const fresh = VulnDb.open(target, { readonly: true });
    expect((fresh.db.prepare('SELECT id FROM advisories').all() as { id: string }[]).map((r) => r.id)).toEqual(['C']);
    fresh.close();
  });

  it('refuses files that are not a vulnerability DB of this schema', () => {
    expect(() => VulnDb.open(join(dir, 'missing.sqlite'), { readonly: true })).toThrow();
    const other = join(dir, 'other.sqlite');
    const raw = new Database(other);
    raw.exec('CREATE TABLE t (x)');
    raw.close();
    expect(() => VulnDb.open(other, { readonly: true })).toThrow(/not a Portcullis vulnerability DB/);
    const old = join(dir, 'old.sqlite');
    VulnDb.open(old).close();
    const raw2 = new Database(old);
    raw2.prepare(`UPDATE meta SET value = '0' WHERE key = 'schema_version'`).run();
    raw2.close();
    expect(() => VulnDb.open(old)).toThrow(/schema 0/);
  });
});
