import { generateKeyPairSync } from 'node:crypto';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { postgresTestDb, sqliteTestDb } from '../identity/testdb.js';
import { startPostgres, type PostgresServer } from '../testing/postgres.js';
import { sealEvent } from './event.js';
import type { AuditEventInput } from './event.js';
import { AuditLog } from './log.js';
import type { AuditTables } from './schema.js';
import { es256Signer, es256Verifier } from './signing.js';
import { AuditStore } from './store.js';
import { verifyChain } from './verify.js';

const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const signer = es256Signer(privateKey);
const verifiers = [es256Verifier(publicKey)];

function input(i: number): AuditEventInput {
  return {
    actor: { type: i % 3 === 0 ? 'robot' : 'user', name: i % 3 === 0 ? 'robot$p+ci' : `user${i % 2}` },
    source: '127.0.0.1',
    userAgent: 'test/1.0',
    action: i % 2 === 0 ? 'image.push' : 'auth.login',
    repository: i % 2 === 0 ? 'proj/app' : null,
    digest: i % 2 === 0 ? `sha256:${String(i).padStart(64, '0')}` : null,
    tag: i % 2 === 0 ? 'latest' : null,
    outcome: i % 5 === 0 ? 'denied' : 'success',
    reasons: i % 5 === 0 ? ['critical vulnerability CVE-2024-0001'] : [],
    detail: { attempt: i, nested: { b: 1, a: 'x' } },
    time: new Date(Date.UTC(2026, 0, 1, 0, 0, i)),
  };
}

function suite(name: string, open: () => Promise<Kysely<AuditTables>>): void {
  describe(`audit chain on ${name}`, () => {
    let db: Kysely<AuditTables>;
    let store: AuditStore;
    let log: AuditLog;

    beforeEach(async () => {
      await db?.destroy();
      db = await open();
      store = new AuditStore(db);
      log = new AuditLog({ store, signer, checkpointEvery: 5 });
      for (let i = 1; i <= 12; i++) await log.record(input(i));
    });
    afterAll(async () => db?.destroy());

    it('appends with sequence numbers and verifies intact, with checkpoints every N events', async () => {
      const report = await verifyChain(store, verifiers);
      expect(report).toMatchObject({ ok: true, events: 12, lastSeq: 12, checkpoints: 2, lastCheckpointSeq: 10 });
      const cp = await log.checkpoint();
      expect(cp?.seq).toBe(12);
      expect((await verifyChain(store, verifiers)).lastCheckpointSeq).toBe(12);
    });

    it('serialises concurrent appends into one chain', async () => {
      await Promise.all(Array.from({ length: 20 }, (_, i) => log.record(input(100 + i))));
      const report = await verifyChain(store, verifiers);
      expect(report.ok).toBe(true);
      expect(report.events).toBe(32);
    });

    it('queries by actor, repository, action, outcome and time range', async () => {
      expect((await store.query({ actor: 'robot$p+ci' })).map((e) => e.seq)).toEqual([3, 6, 9, 12]);
      expect((await store.query({ repository: 'proj/app', outcome: 'denied' })).map((e) => e.seq)).toEqual([10]);
      expect((await store.query({ action: 'auth.*' })).map((e) => e.seq)).toEqual([1, 3, 5, 7, 9, 11]);
      expect((await store.query({ action: 'image.push', afterSeq: 6, limit: 2 })).map((e) => e.seq)).toEqual([8, 10]);
      const since = new Date(Date.UTC(2026, 0, 1, 0, 0, 4));
      const until = new Date(Date.UTC(2026, 0, 1, 0, 0, 7));
      expect((await store.query({ since, until })).map((e) => e.seq)).toEqual([4, 5, 6]);
      const [first] = await store.query({ limit: 1 });
      expect(first).toMatchObject({ seq: 1, detail: { attempt: 1, nested: { a: 'x', b: 1 } }, reasons: [] });
    });

    it('detects an edited field', async () => {
      await db.updateTable('audit_events').set({ actor_name: 'mallory' }).where('seq', '=', 7).execute();
      expect((await verifyChain(store, verifiers)).problem).toMatchObject({ kind: 'edited', seq: 7 });
    });

    it('detects an edited detail or reason', async () => {
      await db.updateTable('audit_events').set({ reasons: '[]' }).where('seq', '=', 5).execute();
      expect((await verifyChain(store, verifiers)).problem).toMatchObject({ kind: 'edited', seq: 5 });
    });

    it('detects a deleted row', async () => {
      await db.deleteFrom('audit_events').where('seq', '=', 4).execute();
      expect((await verifyChain(store, verifiers)).problem).toMatchObject({ kind: 'deleted', seq: 4 });
    });

    it('detects the first row deleted', async () => {
      await db.deleteFrom('audit_events').where('seq', '=', 1).execute();
      expect((await verifyChain(store, verifiers)).problem).toMatchObject({ kind: 'deleted', seq: 1 });
    });

    it('detects two rows swapped', async () => {
      await db.updateTable('audit_events').set({ seq: -1 }).where('seq', '=', 4).execute();
      await db.updateTable('audit_events').set({ seq: 4 }).where('seq', '=', 5).execute();
      await db.updateTable('audit_events').set({ seq: 5 }).where('seq', '=', -1).execute();
      expect((await verifyChain(store, verifiers)).problem).toMatchObject({ kind: 'inserted-or-reordered', seq: 4 });
    });

    it('detects a forged event inserted (even with a correct hash) and renumbered successors', async () => {
      for (let seq = 12; seq >= 6; seq--) await db.updateTable('audit_events').set({ seq: seq + 1 }).where('seq', '=', seq).execute();
      const five = (await store.query({ afterSeq: 4, limit: 1 }))[0]!;
      expect(five.seq).toBe(5);
      const forged = sealEvent({ actor: { type: 'user', name: 'mallory' }, action: 'image.delete', outcome: 'success' }, 6, five.hash, new Date());
      await db
        .insertInto('audit_events')
        .values({
          seq: 6, time: forged.time, actor_type: 'user', actor_name: 'mallory', source: null, user_agent: null, action: 'image.delete',
          repository: null, digest: null, tag: null, outcome: 'success', reasons: '[]', detail: null, prev_hash: forged.prevHash, hash: forged.hash,
        })
        .execute();
      expect((await verifyChain(store, verifiers)).problem).toMatchObject({ kind: 'inserted', seq: 6 });
    });

    it('detects truncation through the latest signed checkpoint', async () => {
      await db.deleteFrom('audit_events').where('seq', '>', 8).execute();
      expect((await verifyChain(store, verifiers)).problem).toMatchObject({ kind: 'truncated', seq: 9 });
    });

    it('detects a forged checkpoint signature and an unknown key', async () => {
      const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      expect((await verifyChain(store, [es256Verifier(other.publicKey)])).problem?.kind).toBe('checkpoint-unknown-key');
      await db.updateTable('audit_checkpoints').set({ hash: 'f'.repeat(64) }).where('seq', '=', 5).execute();
      expect((await verifyChain(store, verifiers)).problem).toMatchObject({ kind: 'checkpoint-signature', seq: 5 });
    });

    it('detects a whole chain rewritten after a checkpoint', async () => {
      // Re-seal every event from 3 on with a changed actor: internally consistent, but not what was signed.
      const events = await store.range(0, 100);
      let prev = events[1]!.hash;
      for (const e of events.slice(2)) {
        const resealed = sealEvent(
          { actor: { type: e.actorType, name: 'rewritten' }, source: e.source, userAgent: e.userAgent, action: e.action, repository: e.repository,
            digest: e.digest, tag: e.tag, outcome: e.outcome, reasons: e.reasons, detail: e.detail, time: new Date(e.time) },
          e.seq, prev, new Date(),
        );
        await db.updateTable('audit_events').set({ actor_name: 'rewritten', prev_hash: resealed.prevHash, hash: resealed.hash }).where('seq', '=', e.seq).execute();
        prev = resealed.hash;
      }
      expect((await verifyChain(store, verifiers)).problem).toMatchObject({ kind: 'checkpoint-mismatch', seq: 5 });
    });
  });
}

suite('SQLite', () => sqliteTestDb<AuditTables>());

describe('on PostgreSQL', () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => server?.stop());
  suite('PostgreSQL', () => postgresTestDb<AuditTables>(server, 'audit'));
});
