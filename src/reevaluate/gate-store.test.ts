import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { gatesMigration } from '../gates/migration.js';
import { ReportStore } from '../gates/report-store.js';
import { validatePolicy } from '../policy/index.js';
import { GateArtifactStore } from './gate-store.js';
import { acceptedArtifact } from './testing.js';

const POLICY = validatePolicy({ version: 1, pull: { vulnerabilities: { severity: 'HIGH' } } });
const digest = (c: string): string => `sha256:${c.repeat(64)}`;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
let db: Kysely<any>;
beforeEach(async () => {
  db = new Kysely({ dialect: new SqliteDialect({ database: new Database(':memory:') }) });
  await gatesMigration.up(db, 'sqlite');
});
afterEach(async () => db.destroy());

describe('GateArtifactStore over the gates report table', () => {
  it('lists every artifact in pages and updates findings in place, keeping the push decision', async () => {
    const reports = new ReportStore(db);
    for (const [repo, c] of [['team/a', 'a'], ['team/b', 'b'], ['other/c', 'c']] as const) await reports.put(acceptedArtifact(repo, digest(c), POLICY));
    const store = new GateArtifactStore(db);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await store.keys(cursor, 2);
      pages++;
      seen.push(...page.keys.map((k) => k.repository));
      cursor = page.next;
    } while (cursor !== undefined);
    expect(seen).toEqual(['team/a', 'team/b', 'other/c']);
    expect(pages).toBe(2);

    const before = (await reports.get('team/b', digest('b')))!;
    const a = (await store.get('team/b', digest('b')))!;
    const report = { ...a.report, vulnerabilities: [] };
    const input = { ...a.input, vulnerabilities: [{ id: 'GHSA-x', aliases: [], severity: 'HIGH', status: 'fixed', packageName: 'lodash', packageVersion: '4.17.20' }] };
    await store.updateFindings('team/b', digest('b'), { report, input });
    const after = (await reports.get('team/b', digest('b')))!;
    expect(await reports.input('team/b', digest('b'))).toEqual(input);
    expect(after.decision).toEqual(before.decision);
    expect(after.createdAt).toEqual(before.createdAt);
    expect((await reports.list('team/b')).map((s) => s.digest)).toEqual([digest('b')]);
  });
});
