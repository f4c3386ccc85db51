import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MediaType } from '../../src/image/mediatypes.js';
import { containersEnv, tool } from '../../src/testing/containers.js';
import { CORPUS_IMAGES, corpusPath, hasCorpus } from '../../src/testing/corpus.js';
import { TEST_ADMIN_PASSWORD, adminApi, startTestServer, type TestServer } from '../../src/testing/server.js';
import { VulnDb } from '../../src/vulndb/db/database.js';
import { importPath } from '../../src/vulndb/importers/index.js';

const NODE_APP_ADVISORIES = ['GHSA-29mw-wpgm-hmr9', 'GHSA-35jh-r3h4-6jhm', 'GHSA-p6mc-m468-83gw', 'GHSA-vh95-rmgr-6w4m', 'GHSA-xvch-5gv4-984h'];

const api = adminApi;

async function projectWithPolicy(srv: TestServer, name: string, policy: unknown): Promise<void> {
  expect((await api(srv, 'POST', '/projects', { name })).status).toBe(201);
  const set = await api(srv, 'PUT', `/projects/${name}/policy`, policy);
  expect(set.status, set.text).toBe(200);
}

/** skopeo's failure text (its stderr), or undefined when the copy worked. */
async function copyError(args: string[], env: NodeJS.ProcessEnv): Promise<string | undefined> {
  try {
    await tool('skopeo', args, env);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

interface Decision {
  allowed: boolean;
  mode: string;
  violations: { rule: string; action: string; summary: string; items: string[] }[];
}

describe.skipIf(!hasCorpus)('security gates at push and pull (skopeo)', () => {
  let work: string;
  let env: NodeJS.ProcessEnv;
  let srv: TestServer;
  const push = (tag: string, dest: string) => copyError(['copy', '-q', '--retry-times', '0', '--dest-tls-verify=false', `oci:${CORPUS_IMAGES}:${tag}`, `docker://${srv.hostPort}/${dest}`], env);
  const tagsOf = async (repo: string): Promise<string[]> => {
    const res = await fetch(`${srv.url}/v2/${repo}/tags/list`);
    if (res.status === 404) return [];
    return ((await res.json()) as { tags: string[] | null }).tags ?? [];
  };

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'portcullis-gates-'));
    env = await containersEnv(join(work, 'containers'));
    const cacheDir = join(work, 'cache');
    const db = VulnDb.open(join(cacheDir, 'vulndb.sqlite'));
    importPath(db, corpusPath('vulndata', 'osv/npm'));
    db.close();
    srv = await startTestServer({ gates: { enabled: true, cacheDir, waitForAnalysis: 20 } });
    const secretsAndRoot = { secrets: {}, misconfigurations: { deny: ['PCS-IMG-001'] } };
    await projectWithPolicy(srv, 'strict', { version: 1, mode: 'enforce', push: secretsAndRoot });
    await projectWithPolicy(srv, 'lenient', { version: 1, mode: 'warn', push: secretsAndRoot });
    await projectWithPolicy(srv, 'vulns', { version: 1, mode: 'enforce', push: { vulnerabilities: { severity: 'HIGH' } } });
    const allow = NODE_APP_ADVISORIES.map((id) => ({ id, justification: 'prototype pollution is not reachable in this app' }));
    await projectWithPolicy(srv, 'accepted', { version: 1, mode: 'enforce', push: { vulnerabilities: { severity: 'HIGH', allow } } });
  }, 60_000);
  afterAll(async () => {
    await srv?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('refuses debian-risky where secrets and root are denied, naming the secret rules and the root user, and leaves no tag', async () => {
    const error = await push('debian-risky', 'strict/risky:1');
    expect(error).toBeDefined();
    expect(error).toMatch(/denied/i);
    expect(error).toContain('push refused by the policy of project strict');
    expect(error).toMatch(/aws-access-key-id|aws-secret-access-key/);
    expect(error).toContain('private-key');
    expect(error).toContain('PCS-IMG-001: Image runs as root');
    expect(error).toContain('/api/v1/projects/strict/repositories/risky/artifacts/sha256:');
    expect(await tagsOf('strict/risky')).toEqual([]);

    // The refused push's report and decision are kept for the user to read.
    const list = await api<{ digest: string; decision: { allowed: boolean }; secrets: number }[]>(srv, 'GET', '/projects/strict/repositories/risky/artifacts');
    expect(list.status).toBe(200);
    expect(list.json).toHaveLength(1);
    const [artifact] = list.json;
    expect(artifact!.decision.allowed).toBe(false);
    expect(artifact!.secrets).toBeGreaterThan(0);
    const decision = await api<Decision>(srv, 'GET', `/projects/strict/repositories/risky/artifacts/${artifact!.digest}/decision`);
    expect(decision.json.allowed).toBe(false);
    expect(decision.json.violations.map((v) => v.rule)).toEqual(expect.arrayContaining(['secret', 'misconfiguration']));
    const report = await api<{ warnings: { code: string }[] }>(srv, 'GET', `/projects/strict/repositories/risky/artifacts/${artifact!.digest}/report`);
    expect(report.status).toBe(200);
  });

  it('accepts the same push into a warn-only project and records the decision and the audit event', async () => {
    expect(await push('debian-risky', 'lenient/risky:1')).toBeUndefined();
    expect(await tagsOf('lenient/risky')).toEqual(['1']);
    const list = await api<{ digest: string; decision: { allowed: boolean; mode: string; violations: number } }[]>(srv, 'GET', '/projects/lenient/repositories/risky/artifacts');
    expect(list.json[0]!.decision).toMatchObject({ allowed: true, mode: 'warn' });
    expect(list.json[0]!.decision.violations).toBeGreaterThan(0);
    const events = await api<{ events?: { action: string; outcome: string; repository: string }[] }>(srv, 'GET', '/audit/events?action=policy.decision');
    expect(events.status, events.text).toBe(200);
    const mine = (events.json.events ?? (events.json as unknown as { action: string; outcome: string; repository: string }[])).filter((e) => e.repository?.startsWith('lenient/') || e.repository?.startsWith('strict/'));
    expect(mine.map((e) => `${e.repository} ${e.outcome}`)).toEqual(expect.arrayContaining(['strict/risky denied', 'lenient/risky success']));
  });

  it('refuses node-app above a HIGH threshold naming the lodash and minimist advisories', async () => {
    const error = await push('node-app', 'vulns/node-app:1');
    expect(error).toBeDefined();
    expect(error).toContain('lodash');
    expect(error).toContain('minimist');
    expect(error).toMatch(/GHSA-[a-z0-9-]+/);
    expect(await tagsOf('vulns/node-app')).toEqual([]);
  });

  it('accepts node-app with those advisories on the allow list, and serves its SBOM', async () => {
    expect(await push('node-app', 'accepted/node-app:1')).toBeUndefined();
    const list = await api<{ digest: string; vulnerabilities: Record<string, number> }[]>(srv, 'GET', '/projects/accepted/repositories/node-app/artifacts');
    const digest = list.json[0]!.digest;
    expect(list.json[0]!.vulnerabilities.HIGH).toBeGreaterThan(0);
    const cdx = await api<{ bomFormat: string; components: { name: string }[] }>(srv, 'GET', `/projects/accepted/repositories/node-app/artifacts/${digest}/sbom?format=cyclonedx`);
    expect(cdx.json.bomFormat).toBe('CycloneDX');
    expect(cdx.json.components.map((c) => c.name)).toContain('lodash');
    const spdx = await api<{ spdxVersion: string }>(srv, 'GET', `/projects/accepted/repositories/node-app/artifacts/${digest}/sbom?format=spdx-json`);
    expect(spdx.json.spdxVersion).toBe('SPDX-2.3');
  });

  it('analysed the layers while they arrived, with no layer job failing (the queue is listed for administrators)', async () => {
    // Layers are analysed from the upload's bytes; the queue only takes what that could not do.
    const jobs = await api<{ counts: { queue: string; state: string; count: number }[] }>(srv, 'GET', '/jobs?queue=gates.layer');
    expect(jobs.status).toBe(200);
    expect(jobs.json.counts.some((c) => c.queue === 'gates.layer' && c.state === 'failed')).toBe(false);
    const anonymous = await fetch(`${srv.url}/api/v1/jobs`);
    expect(anonymous.status).toBe(401);
  });
});

describe.skipIf(!hasCorpus)('pull gate', () => {
  it('refuses an image pushed while the gates were off when the pull policy requires a scan', async () => {
    const work = await mkdtemp(join(tmpdir(), 'portcullis-gates-pull-'));
    const env = await containersEnv(join(work, 'containers'));
    const dataDir = join(work, 'data');
    try {
      const off = await startTestServer({ dataDir, gates: { enabled: false } });
      try {
        await tool('skopeo', ['copy', '-q', '--dest-tls-verify=false', `oci:${CORPUS_IMAGES}:debian-minbase`, `docker://${off.hostPort}/pulls/minbase:1`], env);
      } finally {
        await off.stop();
      }
      const on = await startTestServer({ dataDir, gates: { enabled: true, cacheDir: join(work, 'cache') } });
      try {
        await projectWithPolicy(on, 'pulls', { version: 1, mode: 'enforce', pull: { requireScan: true } });
        const error = await copyError(['copy', '-q', '--retry-times', '0', '--src-tls-verify=false', `docker://${on.hostPort}/pulls/minbase:1`, `oci:${join(work, 'out')}:x`], env);
        expect(error).toBeDefined();
        expect(error).toMatch(/denied/i);
        expect(error).toContain('pull refused by the policy of project pulls');
        expect(error).toContain('has not been scanned');
        // Pushed again with the gates on, the image has a report and the same pull goes through.
        await tool('skopeo', ['copy', '-q', '--dest-tls-verify=false', `oci:${CORPUS_IMAGES}:debian-minbase`, `docker://${on.hostPort}/pulls/minbase:1`], env);
        expect(await copyError(['copy', '-q', '--src-tls-verify=false', `docker://${on.hostPort}/pulls/minbase:1`, `oci:${join(work, 'out')}:x`], env)).toBeUndefined();
      } finally {
        await on.stop();
      }
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }, 60_000);

  it('refuses unsigned images where signatures are required, except to those who may sign them', async () => {
    const work = await mkdtemp(join(tmpdir(), 'portcullis-gates-sign-'));
    const env = await containersEnv(join(work, 'containers'));
    const srv = await startTestServer({ auth: { enabled: true }, gates: { enabled: true, cacheDir: join(work, 'cache') } });
    try {
      await projectWithPolicy(srv, 'signed', { version: 1, mode: 'enforce', pull: { requireSignature: {} } });
      const password = 'a-long-password-for-gates';
      for (const [user, role] of [['maint', 'maintainer'], ['dev', 'developer']] as const) {
        expect((await api(srv, 'POST', '/users', { name: user, password })).status).toBe(201);
        expect((await api(srv, 'POST', '/projects/signed/members', { user, role })).status).toBe(201);
      }
      await tool('skopeo', ['copy', '-q', '--dest-tls-verify=false', '--dest-creds', `admin:${TEST_ADMIN_PASSWORD}`, `oci:${CORPUS_IMAGES}:debian-minbase`, `docker://${srv.hostPort}/signed/minbase:1`], env);
      const get = (user: string) =>
        fetch(`${srv.url}/v2/signed/minbase/manifests/1`, {
          headers: { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`, accept: `${MediaType.OciManifest}, ${MediaType.DockerManifest}` },
        });
      const refused = await get('dev');
      expect(refused.status).toBe(403);
      const body = (await refused.json()) as { errors: { code: string; message: string }[] };
      expect(body.errors[0]!.code).toBe('DENIED');
      expect(body.errors[0]!.message).toContain('no signature verifies with a trusted key');
      expect((await get('maint')).status).toBe(200);
    } finally {
      await srv.stop();
      await rm(work, { recursive: true, force: true });
    }
  }, 60_000);
});
