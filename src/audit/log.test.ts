import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sqliteTestDb } from '../identity/testdb.js';
import { AuditLog } from './log.js';
import type { AuditTables } from './schema.js';
import { es256Signer } from './signing.js';
import type { AuditSink } from './sink.js';
import { JsonlSink } from './sinks/jsonl.js';
import { sinkConfigSchema } from './sinks/index.js';
import { AuditStore } from './store.js';
import { verifyChain } from './verify.js';

const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });

describe('AuditLog', () => {
  it('copies events and checkpoints to the sinks; a failing sink loses nothing from the chain', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'portcullis-log-'));
    const db = await sqliteTestDb<AuditTables>();
    const failures: string[] = [];
    const broken: AuditSink = {
      name: 'broken',
      write: () => Promise.reject(new Error('down')),
      writeCheckpoint: () => Promise.reject(new Error('down')),
      close: async () => undefined,
    };
    const store = new AuditStore(db);
    const log = new AuditLog({
      store,
      sinks: [new JsonlSink({ path: join(dir, 'audit.jsonl') }), broken],
      signer: es256Signer(privateKey),
      checkpointEvery: 3,
      onSinkError: (sink, err) => failures.push(`${sink}: ${(err as Error).message}`),
    });
    for (let i = 0; i < 4; i++) await log.record({ actor: { type: 'user', name: 'u' }, action: 'image.pull', repository: 'p/r', outcome: 'success' });
    await log.close();
    const lines = (await readFile(join(dir, 'audit.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { type: string; seq: number });
    expect(lines.map((l) => `${l.type}:${l.seq}`)).toEqual(['event:1', 'event:2', 'event:3', 'checkpoint:3', 'event:4']);
    expect(failures).toHaveLength(5);
    const { es256Verifier } = await import('./signing.js');
    expect(await verifyChain(store, [es256Verifier(publicKey)])).toMatchObject({ ok: true, events: 4, lastCheckpointSeq: 3 });
    await db.destroy();
    await rm(dir, { recursive: true, force: true });
  });
});

describe('sinkConfigSchema', () => {
  it('accepts each sink type and names bad fields', () => {
    expect(sinkConfigSchema.parse({ type: 'syslog', host: '127.0.0.1', port: 6514 })).toEqual({ type: 'syslog', host: '127.0.0.1', port: 6514 });
    expect(sinkConfigSchema.safeParse({ type: 'jsonl', path: '/var/log/portcullis/audit.jsonl', maxBytes: 1_000_000 }).success).toBe(true);
    const weak = sinkConfigSchema.safeParse({ type: 'webhook', url: 'https://siem.example/hook', secret: 'short' });
    expect(weak.success).toBe(false);
    expect(weak.error?.issues[0]?.path).toEqual(['secret']);
    expect(sinkConfigSchema.safeParse({ type: 'kafka' }).success).toBe(false);
    expect(sinkConfigSchema.safeParse({ type: 'syslog', host: 'h', port: 70_000 }).success).toBe(false);
  });
});
