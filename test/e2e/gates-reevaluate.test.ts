/**
 * Continuous re-evaluation end to end with skopeo: an image accepted while the server's
 * vulnerability DB knows nothing against it becomes unpullable once an advisory affecting it is
 * imported into that DB, and the audit trail and a signed webhook say so.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeOsvAdvisory } from '../../src/reevaluate/testing.js';
import { containersEnv, tool } from '../../src/testing/containers.js';
import { CORPUS_IMAGES, corpusPath, hasCorpus } from '../../src/testing/corpus.js';
import { adminApi, startTestServer, type TestServer } from '../../src/testing/server.js';
import { VulnDb } from '../../src/vulndb/db/database.js';
import { dbPath } from '../../src/vulndb/db/paths.js';
import { importPath } from '../../src/vulndb/importers/index.js';
import { startReceiver, type Receiver } from '../../src/webhooks/testing.js';

/** A HIGH lodash advisory of the corpus that affects node-app's lodash. */
const ADVISORY = 'GHSA-35jh-r3h4-6jhm';

const api = adminApi;

function dbImport(cacheDir: string, path: string): void {
  const db = VulnDb.open(dbPath(cacheDir));
  try {
    importPath(db, path);
  } finally {
    db.close();
  }
}

interface AuditEvent {
  action: string;
  outcome: string;
  repository?: string;
  digest?: string;
  detail?: Record<string, unknown>;
}

describe.skipIf(!hasCorpus)('continuous re-evaluation (skopeo)', () => {
  let work: string;
  let cacheDir: string;
  let env: NodeJS.ProcessEnv;
  let srv: TestServer;
  let receiver: Receiver;
  let secret: string | undefined;
  const copy = async (args: string[]): Promise<string | undefined> => {
    try {
      await tool('skopeo', ['copy', '-q', '--retry-times', '0', ...args], env);
      return undefined;
    } catch (err) {
      return (err as Error).message;
    }
  };
  const pull = () => copy(['--src-tls-verify=false', `docker://${srv.hostPort}/watched/node-app:1`, `oci:${join(work, 'out')}:x`]);
  const reevaluations = async (): Promise<AuditEvent[]> => {
    const res = await api<AuditEvent[]>(srv, 'GET', '/audit/events?action=artifact.reevaluated');
    expect(res.status, res.text).toBe(200);
    return res.json;
  };

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'portcullis-reeval-'));
    env = await containersEnv(join(work, 'containers'));
    cacheDir = join(work, 'cache');
    await mkdir(join(work, 'feeds'));
    // The server starts with vulnerability data, none of it about node-app's packages.
    dbImport(cacheDir, writeOsvAdvisory(join(work, 'feeds'), 'GHSA-unrelated', 'left-pad', '1.0.0'));
    srv = await startTestServer({ gates: { enabled: true, cacheDir, waitForAnalysis: 20, reevaluateInterval: 1 } });
    expect((await api(srv, 'POST', '/projects', { name: 'watched' })).status).toBe(201);
    const rules = { vulnerabilities: { severity: 'HIGH' } };
    const set = await api(srv, 'PUT', '/projects/watched/policy', { version: 1, mode: 'enforce', push: rules, pull: rules });
    expect(set.status, set.text).toBe(200);
    receiver = await startReceiver(() => secret);
    const hook = await api<{ secret: string }>(srv, 'POST', '/projects/watched/webhooks', { url: receiver.url, events: ['reevaluated'] });
    expect(hook.status, hook.text).toBe(201);
    secret = hook.json.secret;
  }, 60_000);
  afterAll(async () => {
    await srv?.stop();
    await receiver?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('blocks the pull of an accepted image once an advisory affecting it is imported, and emits the event', async () => {
    expect(await copy(['--dest-tls-verify=false', `oci:${CORPUS_IMAGES}:node-app`, `docker://${srv.hostPort}/watched/node-app:1`])).toBeUndefined();
    expect(await pull()).toBeUndefined();
    const list = await api<{ digest: string; decision: { allowed: boolean } }[]>(srv, 'GET', '/projects/watched/repositories/node-app/artifacts');
    expect(list.json).toHaveLength(1);
    const digest = list.json[0]!.digest;
    expect(list.json[0]!.decision.allowed).toBe(true);
    expect(await reevaluations()).toEqual([]);

    // Into the same DB file the server reads; its watcher polls every second.
    dbImport(cacheDir, corpusPath('vulndata', 'osv/npm', `${ADVISORY}.json`));
    const until = Date.now() + 15_000;
    let events = await reevaluations();
    while (events.length === 0 && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 100));
      events = await reevaluations();
    }
    expect(events).toEqual([expect.objectContaining({ repository: 'watched/node-app', digest, outcome: 'denied', detail: expect.objectContaining({ newlyBlocked: true }) })]);

    const refused = await pull();
    expect(refused).toBeDefined();
    expect(refused).toMatch(/denied/i);
    expect(refused).toContain('pull refused by the policy of project watched');
    expect(refused).toContain(ADVISORY);

    const [delivery] = await receiver.waitFor(1);
    expect(delivery!.headers['x-portcullis-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(delivery!.signatureValid).toBe(true);
    expect(JSON.parse(delivery!.body)).toMatchObject({ type: 'reevaluated', project: 'watched', repository: 'watched/node-app', digest, decision: 'deny' });
  }, 45_000);
});
