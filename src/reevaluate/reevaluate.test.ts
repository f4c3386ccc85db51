import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEventInput } from '../audit/event.js';
import { jobsMigration } from '../jobs/migration.js';
import { JobQueue } from '../jobs/queue.js';
import { evaluate, validatePolicy } from '../policy/index.js';
import { createHarness, type Harness } from '../server/auth/harness.js';
import { VulnDb } from '../vulndb/db/database.js';
import { dbPath } from '../vulndb/db/paths.js';
import { importPath } from '../vulndb/importers/index.js';
import { SecretBox, createWebhookServices, webhookMigration, type WebhookEvent, type WebhookServices } from '../webhooks/index.js';
import { startReceiver, type Receiver } from '../webhooks/testing.js';
import { MemoryArtifactStore, createReevaluationWatcher, reevaluateAll } from './index.js';
import { acceptedArtifact, writeOsvAdvisory } from './testing.js';

const POLICY = validatePolicy({ version: 1, push: { vulnerabilities: { severity: 'HIGH' } }, pull: { vulnerabilities: { severity: 'HIGH' } } });
const DIGEST = `sha256:${'a'.repeat(64)}`;

let dir: string;
let feeds: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'portcullis-reeval-'));
  feeds = join(dir, 'feeds');
  mkdirSync(feeds);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** What `portcullis db import FILE --cache-dir DIR` does. */
function dbImport(file: string): void {
  const db = VulnDb.open(dbPath(join(dir, 'cache')));
  try {
    importPath(db, file);
  } finally {
    db.close();
  }
}

describe('reevaluateAll', () => {
  it('updates changed findings only, blocks what newly violates the pull policy, and reports fixes', async () => {
    dbImport(writeOsvAdvisory(feeds, 'GHSA-old', 'left-pad', '1.0.0'));
    const store = new MemoryArtifactStore();
    store.put(acceptedArtifact('team/app', DIGEST, POLICY));
    store.put(acceptedArtifact('team/other', DIGEST, POLICY));
    const audit: AuditEventInput[] = [];
    const hooks: WebhookEvent[] = [];
    const run = async () => {
      const db = VulnDb.open(dbPath(join(dir, 'cache')), { readonly: true });
      try {
        return await reevaluateAll({ store, db, policyFor: async () => POLICY, audit: { record: async (e) => void audit.push(e) }, webhooks: { emit: async (e) => void hooks.push(e) }, batchSize: 1 });
      } finally {
        db.close();
      }
    };
    expect(await run()).toEqual({ artifacts: 2, changed: [], errors: 0 });
    expect(audit).toEqual([]);

    // A MEDIUM advisory: findings change, the pull stays allowed.
    dbImport(writeOsvAdvisory(feeds, 'GHSA-medium', 'minimist', '1.2.9', 'CVSS:3.1/AV:N/AC:H/PR:L/UI:N/S:U/C:L/I:L/A:N'));
    const medium = await run();
    expect(medium.changed.map((c) => [c.repository, c.added, c.allowed, c.newlyBlocked])).toEqual([
      ['team/app', ['GHSA-medium minimist@1.2.8'], true, false],
      ['team/other', ['GHSA-medium minimist@1.2.8'], true, false],
    ]);
    expect(audit.map((e) => e.outcome)).toEqual(['success', 'success']);

    // A HIGH one: both are now refused at pull.
    dbImport(writeOsvAdvisory(feeds, 'GHSA-high', 'lodash', '4.17.21'));
    const high = await run();
    expect(high.changed.map((c) => [c.added, c.allowed, c.newlyBlocked])).toEqual([
      [['GHSA-high lodash@4.17.20'], false, true],
      [['GHSA-high lodash@4.17.20'], false, true],
    ]);
    const stored = (await store.get('team/app', DIGEST))!;
    expect(stored.report.vulnerabilities.map((v) => [v.advisoryId, v.severity]).sort()).toEqual([['GHSA-high', 'HIGH'], ['GHSA-medium', 'MEDIUM']]);
    expect(stored.report.totals.vulnerabilities.HIGH).toBe(1);
    expect(evaluate(POLICY, 'pull', stored.input).allowed).toBe(false);
    // The push decision is history: it stays as it was taken.
    expect(stored.decision.allowed).toBe(true);
    const event = audit.at(-1)!;
    expect(event).toMatchObject({ action: 'artifact.reevaluated', repository: 'team/other', digest: DIGEST, outcome: 'denied', actor: { type: 'system' } });
    expect(event.reasons?.[0]).toContain('GHSA-high');
    expect(event.detail).toMatchObject({ newlyBlocked: true, previouslyAllowed: true, added: ['GHSA-high lodash@4.17.20'] });
    expect(hooks.at(-1)).toMatchObject({ type: 'reevaluated', project: 'team', repository: 'team/other', decision: 'deny' });

    // Nothing new: nothing happens.
    const quiet = audit.length;
    expect((await run()).changed).toEqual([]);
    expect(audit).toHaveLength(quiet);
  });

  it('goes on past an artifact that fails, counting it', async () => {
    dbImport(writeOsvAdvisory(feeds, 'GHSA-high', 'lodash', '4.17.21'));
    const store = new MemoryArtifactStore();
    store.put(acceptedArtifact('team/app', DIGEST, POLICY));
    store.put(acceptedArtifact('zeta/app', DIGEST, POLICY));
    const failed: string[] = [];
    const db = VulnDb.open(dbPath(join(dir, 'cache')), { readonly: true });
    try {
      const summary = await reevaluateAll({
        store,
        db,
        policyFor: async (p) => {
          if (p === 'team') throw new Error('policy store down');
          return POLICY;
        },
        audit: { record: async () => undefined },
        onError: (k) => failed.push(k.repository),
      });
      expect(summary.errors).toBe(1);
      expect(summary.changed.map((c) => c.repository)).toEqual(['zeta/app']);
      expect(failed).toEqual(['team/app']);
    } finally {
      db.close();
    }
  });
});

describe('importing an advisory that affects an accepted image', () => {
  let h: Harness;
  let services: WebhookServices;
  let receiver: Receiver;
  let secret: string | undefined;

  beforeAll(async () => {
    h = await createHarness();
    await jobsMigration.up(h.db, 'sqlite');
    await webhookMigration.up(h.db, 'sqlite');
    services = createWebhookServices(h.db, new JobQueue(h.db, 'sqlite'), new SecretBox(randomBytes(32)), { pollMs: 20, backoffMs: () => 10 });
    services.worker.start();
    receiver = await startReceiver(() => secret);
    const project = await h.identity.createProject({ name: 'team' });
    secret = (await services.store.create(project.id, { url: receiver.url, events: ['reevaluated'], createdBy: 'admin' })).secret;
  });
  afterAll(async () => {
    await services?.worker.stop();
    await receiver?.close();
    await h?.close();
  });

  it('blocks its pull afterwards and emits the event to the audit trail and the webhook', async () => {
    dbImport(writeOsvAdvisory(feeds, 'GHSA-unrelated', 'left-pad', '1.0.0'));
    const store = new MemoryArtifactStore();
    const accepted = acceptedArtifact('team/app', DIGEST, POLICY);
    expect(accepted.decision.allowed).toBe(true);
    store.put(accepted);
    const watcher = createReevaluationWatcher({
      cacheDir: join(dir, 'cache'),
      store,
      policyFor: async () => POLICY,
      audit: h.audit,
      webhooks: services.emitter,
      runOnStart: false,
      intervalMs: 3_600_000,
    });
    watcher.start();
    try {
      expect(await watcher.check()).toBeUndefined();
      expect(evaluate(POLICY, 'pull', (await store.get('team/app', DIGEST))!.input).allowed).toBe(true);

      dbImport(writeOsvAdvisory(feeds, 'GHSA-lodash', 'lodash', '4.17.21'));
      const summary = await watcher.check();
      expect(summary?.changed.map((c) => [c.repository, c.newlyBlocked])).toEqual([['team/app', true]]);
      expect(evaluate(POLICY, 'pull', (await store.get('team/app', DIGEST))!.input).allowed).toBe(false);

      const [event] = await h.audit.store.query({ action: 'artifact.reevaluated', limit: 10 });
      expect(event).toMatchObject({ repository: 'team/app', digest: DIGEST, outcome: 'denied', actorType: 'system' });
      const [hook] = await receiver.waitFor(1);
      expect(hook!.signatureValid).toBe(true);
      expect(hook!.headers['x-portcullis-event']).toBe('reevaluated');
      expect(JSON.parse(hook!.body)).toMatchObject({ type: 'reevaluated', project: 'team', repository: 'team/app', digest: DIGEST, decision: 'deny' });
      expect(JSON.parse(hook!.body).summary).toContain('GHSA-lodash');

      // The DB did not change again: no second run.
      expect(await watcher.check()).toBeUndefined();
    } finally {
      await watcher.stop();
    }
  });
});
