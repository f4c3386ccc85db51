/**
 * End to end in one process: an image pushed through the registry with its gates, accepted; an
 * advisory imported into the server's vulnerability DB; the watcher re-evaluates the stored
 * inventory; the pull gate now refuses the image, and the audit trail and a webhook say so.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEventInput } from '../audit/event.js';
import { Gates } from '../gates/gates.js';
import type { IdentityTables } from '../identity/schema.js';
import { IdentityStore } from '../identity/store.js';
import { makeTar } from '../image/layers/testing/tar.js';
import { MediaType } from '../image/mediatypes.js';
import { JobQueue } from '../jobs/queue.js';
import { createMetadataStore, type KyselyMetadataStore } from '../metadata/index.js';
import { createPolicyServices, validatePolicy } from '../policy/index.js';
import { Registry } from '../registry/registry.js';
import { FilesystemBlobStore } from '../storage/index.js';
import { VulnDb } from '../vulndb/db/database.js';
import { dbPath } from '../vulndb/db/paths.js';
import { importPath } from '../vulndb/importers/index.js';
import { SecretBox, createWebhookServices, type WebhookServices } from '../webhooks/index.js';
import { startReceiver, type Receiver } from '../webhooks/testing.js';
import { GateArtifactStore, createReevaluationWatcher, policyLookup, type ReevaluationWatcher, type ReevaluationSummary } from './index.js';
import { writeOsvAdvisory } from './testing.js';
import { oneLayerManifest } from '../testing/tiny-image.js';

const sha = (b: Buffer | string): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const ANON = { kind: 'anonymous' as const, name: 'anonymous' };

let dir: string;
let meta: KyselyMetadataStore;
let gates: Gates;
let registry: Registry;
let services: WebhookServices;
let receiver: Receiver;
let secret: string | undefined;
let watcher: ReevaluationWatcher<ReevaluationSummary>;
const audit: AuditEventInput[] = [];

function dbImport(file: string): void {
  const db = VulnDb.open(dbPath(join(dir, 'cache')));
  try {
    importPath(db, file);
  } finally {
    db.close();
  }
}

/** Pushes a one-layer image with lodash 4.17.20 as `team/app:v1`; returns its digest. */
async function pushImage(): Promise<string> {
  const layer = await makeTar([{ name: 'app/node_modules/lodash/package.json', content: JSON.stringify({ name: 'lodash', version: '4.17.20' }) }]);
  const config = Buffer.from(
    JSON.stringify({ architecture: 'amd64', os: 'linux', created: new Date().toISOString(), config: { User: 'app' }, rootfs: { type: 'layers', diff_ids: [sha(layer)] } }),
  );
  await registry.putBlob('team/app', sha(layer), Readable.from([layer]));
  await registry.putBlob('team/app', sha(config), Readable.from([config]));
  const manifest = oneLayerManifest(config, layer);
  return (await registry.putManifest('team/app', 'v1', manifest, MediaType.OciManifest)).digest;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'portcullis-reeval-e2e-'));
  mkdirSync(join(dir, 'feeds'));
  meta = await createMetadataStore({ driver: 'sqlite', path: join(dir, 'meta.db') });
  await meta.migrate();
  const db = meta.database.db;
  const blobs = await FilesystemBlobStore.open(join(dir, 'blobs'), { fsync: false });
  const identity = new IdentityStore(db as unknown as Kysely<IdentityTables>);
  const project = await identity.createProject({ name: 'team' });
  const policy = createPolicyServices(db);
  const rules = { vulnerabilities: { severity: 'HIGH' as const } };
  await policy.policies.set({ kind: 'project', projectId: project.id }, validatePolicy({ version: 1, push: rules, pull: rules }), 'admin');
  const recorder = { record: async (e: AuditEventInput) => void audit.push(e) };
  gates = new Gates({ db, dialect: meta.dialect, blobs, policies: policy.policies, trustedKeys: policy.trustedKeys, identity, audit: recorder, cacheDir: join(dir, 'cache'), waitForAnalysisMs: 5000 });
  registry = new Registry({ blobs, meta, hooks: gates.hooks() });
  gates.attach(registry);
  gates.start();

  services = createWebhookServices(db, new JobQueue(db, meta.dialect), new SecretBox(randomBytes(32)), { pollMs: 20, backoffMs: () => 10 });
  services.worker.start();
  receiver = await startReceiver(() => secret);
  secret = (await services.store.create(project.id, { url: receiver.url, events: ['reevaluated'], createdBy: 'admin' })).secret;
  watcher = createReevaluationWatcher({
    cacheDir: join(dir, 'cache'),
    store: new GateArtifactStore(db),
    policyFor: policyLookup(identity, policy.policies),
    audit: recorder,
    webhooks: services.emitter,
    runOnStart: false,
    intervalMs: 3_600_000,
  });
}, 60_000);
afterAll(async () => {
  await watcher?.stop();
  await services?.worker.stop();
  await receiver?.close();
  await gates?.close();
  await meta?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('continuous re-evaluation through the gates', () => {
  it('blocks the pull of an accepted image once an advisory affecting it is imported, and emits the event', async () => {
    // The server has vulnerability data, none about lodash.
    dbImport(writeOsvAdvisory(join(dir, 'feeds'), 'GHSA-unrelated', 'left-pad', '1.0.0'));
    watcher.start();
    const digest = await pushImage();
    const stored = await gates.reports.get('team/app', digest);
    expect(stored?.decision.allowed).toBe(true);
    expect(stored?.report.packages.items.map((p) => `${p.name}@${p.version}`)).toContain('lodash@4.17.20');
    await gates.pullGate('team/app', 'v1', undefined, ANON);

    dbImport(writeOsvAdvisory(join(dir, 'feeds'), 'GHSA-lodash', 'lodash', '4.17.21'));
    const summary = await watcher.check();
    expect(summary?.changed.map((c) => [c.repository, c.digest, c.newlyBlocked])).toEqual([['team/app', digest, true]]);

    await expect(gates.pullGate('team/app', 'v1', undefined, ANON)).rejects.toMatchObject({ code: 'DENIED', message: expect.stringContaining('GHSA-lodash') });
    await expect(gates.pullGate('team/app', digest, undefined, ANON)).rejects.toMatchObject({ code: 'DENIED' });
    const report = (await gates.reports.get('team/app', digest))!.report;
    expect(report.vulnerabilities.map((v) => v.advisoryId)).toEqual(['GHSA-lodash']);

    const event = audit.find((e) => e.action === 'artifact.reevaluated');
    expect(event).toMatchObject({ repository: 'team/app', digest, outcome: 'denied', detail: expect.objectContaining({ newlyBlocked: true }) });
    const [hook] = await receiver.waitFor(1);
    expect(hook!.signatureValid).toBe(true);
    expect(JSON.parse(hook!.body)).toMatchObject({ type: 'reevaluated', project: 'team', repository: 'team/app', digest, decision: 'deny' });
  }, 60_000);
});
