import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import type { Kysely } from 'kysely';
import type { AuditEvent } from '../../audit/event.js';
import { formatChainReport, formatEventLine } from '../../audit/format.js';
import type { AuditTables } from '../../audit/schema.js';
import { es256Verifier } from '../../audit/signing.js';
import { AuditStore } from '../../audit/store.js';
import type { AuditQuery } from '../../audit/store.js';
import { verifyChain } from '../../audit/verify.js';
import type { ChainReport } from '../../audit/verify.js';
import { createMetadataStore } from '../../metadata/index.js';
import { ApiClient, ApiClientError, USERNAME_HELP, connectionFrom } from '../../server/api/client.js';
import { loadServerKey } from '../../server/auth/keys.js';

interface SourceOpts {
  dataDir?: string;
  server?: string;
  username?: string;
}

interface QueryOpts extends SourceOpts {
  actor?: string;
  repo?: string;
  action?: string;
  since?: string;
  until?: string;
  format?: string;
}

/** The metadata database of an embedded installation, read straight from its data directory. */
async function openLocal(dataDir: string): Promise<Awaited<ReturnType<typeof createMetadataStore>>> {
  const path = join(resolve(dataDir), 'metadata.db');
  if (!existsSync(path)) throw new Error(`no metadata database at ${path}`);
  return createMetadataStore({ driver: 'sqlite', path });
}

async function withLocal<T>(dataDir: string, fn: (store: AuditStore, dir: string) => Promise<T>): Promise<T> {
  const dir = resolve(dataDir);
  const meta = await openLocal(dir);
  try {
    return await fn(new AuditStore(meta.database.db as unknown as Kysely<AuditTables>), dir);
  } finally {
    await meta.close();
  }
}

function remote(o: SourceOpts): ApiClient {
  return new ApiClient(connectionFrom(o));
}

function date(value: string | undefined, flag: string): Date | undefined {
  if (value === undefined) return undefined;
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw new Error(`${flag}: not a date/time: ${value}`);
  return d;
}

async function* events(o: QueryOpts): AsyncGenerator<AuditEvent> {
  const since = date(o.since, '--since');
  const until = date(o.until, '--until');
  if (o.dataDir !== undefined) {
    const q: AuditQuery = {
      ...(o.actor ? { actor: o.actor } : {}),
      ...(o.repo ? { repository: o.repo } : {}),
      ...(o.action ? { action: o.action } : {}),
      ...(since ? { since } : {}),
      ...(until ? { until } : {}),
    };
    const meta = await openLocal(o.dataDir);
    try {
      const store = new AuditStore(meta.database.db as unknown as Kysely<AuditTables>);
      // Batches by sequence number: memory stays bounded however long the trail is.
      let after = 0;
      while (true) {
        const batch = await store.query({ ...q, afterSeq: after, limit: 1000 });
        yield* batch;
        const last = batch.at(-1);
        if (!last || batch.length < 1000) break;
        after = last.seq;
      }
    } finally {
      await meta.close();
    }
    return;
  }
  yield* remote(o).auditEvents({
    actor: o.actor,
    repository: o.repo,
    action: o.action,
    since: since?.toISOString(),
    until: until?.toISOString(),
  });
}

function fail(err: unknown): void {
  if (err instanceof ApiClientError || err instanceof Error) {
    console.error(`error: ${err.message}`);
    process.exitCode = 2;
    return;
  }
  throw err;
}

export function registerAudit(program: Command): void {
  const audit = program.command('audit').description('verify, query and export the audit trail');
  const source = (cmd: Command): Command =>
    cmd
      .option('--data-dir <dir>', 'read the embedded installation in this data directory')
      .option('--server <url>', 'ask a running server (also PORTCULLIS_SERVER)')
      .option('--username <name>', USERNAME_HELP);

  source(audit.command('verify').description('prove the hash chain intact, or name the first event tampered with')).action(async (o: SourceOpts) => {
    try {
      let report: ChainReport;
      if (o.dataDir !== undefined) {
        report = await withLocal(o.dataDir, async (store, dir) => verifyChain(store, [es256Verifier((await loadServerKey(dir)).publicKey)]));
      } else report = await remote(o).verifyAudit();
      console.log(formatChainReport(report));
      if (!report.ok) process.exitCode = 1;
    } catch (err) {
      fail(err);
    }
  });

  source(audit.command('query').description('events matching all the given filters'))
    .option('--actor <name>', 'user or robot name')
    .option('--repo <name>', 'repository')
    .option('--action <action>', 'action, or a prefix like auth.*')
    .option('--since <time>', 'from this time (ISO 8601)')
    .option('--until <time>', 'before this time (ISO 8601)')
    .option('--format <format>', 'text | json', 'text')
    .action(async (o: QueryOpts) => {
      try {
        const list: AuditEvent[] = [];
        for await (const e of events(o)) {
          if (o.format === 'json') list.push(e);
          else console.log(formatEventLine(e));
        }
        if (o.format === 'json') console.log(JSON.stringify(list, null, 2));
      } catch (err) {
        fail(err);
      }
    });

  source(audit.command('export').description('every event, for archiving or a SIEM'))
    .option('--format <format>', 'jsonl', 'jsonl')
    .action(async (o: QueryOpts) => {
      try {
        if (o.format !== 'jsonl') throw new Error(`--format: only jsonl is supported, not ${o.format ?? ''}`);
        for await (const e of events({ ...o, format: 'jsonl' })) process.stdout.write(`${JSON.stringify(e)}\n`);
      } catch (err) {
        fail(err);
      }
    });
}
