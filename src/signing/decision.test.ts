import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryClient } from '../image/client/client.js';
import { parseReference } from '../image/client/reference.js';
import { digestOf } from '../image/digest.js';
import { MediaType } from '../image/mediatypes.js';
import { evaluate } from '../policy/evaluate.js';
import { validatePolicy } from '../policy/parse.js';
import type { EvaluationInput } from '../policy/input.js';
import type { ScanReport } from '../scan/types.js';
import { loadOrCreateServerKey, type ServerKey } from '../server/auth/keys.js';
import { startTestServer, type TestServer } from '../testing/server.js';
import { SEVERITIES, type Severity } from '../vulndb/types.js';
import { DECISION_PREDICATE_TYPE, decisionAttestation, verifyGatePassed } from './decision.js';
import { generateKeyPair } from './keys.js';
import { verifyAttestationsRemote } from './remote-verify.js';
import { trustKeys } from './verify.js';

const counts = (over: Partial<Record<Severity, number>> = {}) => Object.fromEntries(SEVERITIES.map((s) => [s, over[s] ?? 0])) as Record<Severity, number>;
const report: Pick<ScanReport, 'tool' | 'createdAt' | 'scanners' | 'totals'> = {
  tool: { name: 'portcullis', version: '0.1.0' },
  createdAt: '2026-01-02T03:04:05.000Z',
  scanners: ['vuln', 'secret', 'misconfig'],
  totals: { vulnerabilities: counts({ LOW: 2 }), secrets: counts(), misconfigurations: counts(), all: counts({ LOW: 2 }), findings: 2 },
};
const input: EvaluationInput = {
  scanned: true,
  vulnerabilities: [{ id: 'CVE-2024-0001', aliases: [], severity: 'LOW', status: 'fixed', fixedVersion: '1.1', packageName: 'zlib', packageVersion: '1.0' }],
  secrets: [],
  misconfigurations: [],
  baseImages: [],
};
const policy = (severity: string) => validatePolicy({ version: 1, mode: 'enforce', push: { vulnerabilities: { severity } } });
const now = new Date('2026-01-02T03:04:06Z');
const image = { name: 'registry.example/team/app', descriptor: { mediaType: MediaType.OciManifest, digest: digestOf(Buffer.from('image manifest')), size: 14 } };

describe('decisionAttestation', () => {
  let dir: string;
  let server: ServerKey;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'portcullis-decision-'));
    server = await loadOrCreateServerKey(dir);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('is an in-toto statement about the digest, signed with the server key, that verifies offline', () => {
    const decision = evaluate(policy('HIGH'), 'push', input, now);
    expect(decision.allowed).toBe(true);
    const att = decisionAttestation(decision, report, image, server);
    expect(att.statement.subject).toEqual([{ name: image.name, digest: { sha256: image.descriptor.digest.slice(7) } }]);
    expect(att.statement.predicateType).toBe(DECISION_PREDICATE_TYPE);
    expect(att.envelope.signatures[0]!.keyid).toBe(server.keyId);

    const v = verifyGatePassed(att.bundle, trustKeys([server.publicKey]), image.descriptor.digest);
    if (!v.ok) throw new Error(v.message);
    expect(v.keyId).toBe(server.keyId);
    expect(v.value).toMatchObject({ gate: 'push', mode: 'enforce', allowed: true, scan: { totals: { findings: 2 } }, issuerKeyId: server.keyId });

    // Another key, another digest, another gate: no.
    expect(verifyGatePassed(att.bundle, trustKeys([generateKeyPair().publicKey]), image.descriptor.digest)).toMatchObject({ ok: false, reason: 'unknown-key' });
    expect(verifyGatePassed(att.bundle, trustKeys([server.publicKey]), digestOf(Buffer.from('other')))).toMatchObject({ ok: false, reason: 'digest-mismatch' });
    expect(verifyGatePassed(att.bundle, trustKeys([server.publicKey]), image.descriptor.digest, 'pull')).toMatchObject({ ok: false });
  });

  it('a denial does not pass, and flipping it to allowed breaks the signature', () => {
    const decision = evaluate(policy('LOW'), 'push', input, now);
    expect(decision.allowed).toBe(false);
    const att = decisionAttestation(decision, report, image, server);
    expect(verifyGatePassed(att.bundle, trustKeys([server.publicKey]), image.descriptor.digest)).toMatchObject({ ok: false, message: 'the push gate denied this image' });

    const bundle = JSON.parse(att.bundle.toString('utf8')) as { dsseEnvelope: { payload: string } };
    const statement = JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString('utf8')) as { predicate: { allowed: boolean } };
    statement.predicate.allowed = true;
    bundle.dsseEnvelope.payload = Buffer.from(JSON.stringify(statement)).toString('base64');
    const forged = Buffer.from(JSON.stringify(bundle));
    expect(verifyGatePassed(forged, trustKeys([server.publicKey]), image.descriptor.digest)).toMatchObject({ ok: false, reason: 'signature-invalid' });
  });
});

describe('a decision attestation stored as a referrer', () => {
  let srv: TestServer;
  let client: RegistryClient;
  beforeAll(async () => {
    srv = await startTestServer();
    client = new RegistryClient({ registry: srv.hostPort });
  });
  afterAll(async () => {
    await client?.close();
    await srv?.stop();
  });

  it('is found and verified by verify-attestation with the server public key', async () => {
    const config = Buffer.from('{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}');
    await client.uploadBlob('team/app', config);
    const manifest = Buffer.from(
      JSON.stringify({ schemaVersion: 2, mediaType: MediaType.OciManifest, config: { mediaType: MediaType.OciConfig, digest: digestOf(config), size: config.length }, layers: [] }),
    );
    const { digest } = await client.putManifest('team/app', 'v1', manifest, MediaType.OciManifest);
    const server = await loadOrCreateServerKey(srv.dataDir);
    const subject = { name: `${srv.hostPort}/team/app`, descriptor: { mediaType: MediaType.OciManifest, digest, size: manifest.length } };
    const att = decisionAttestation(evaluate(policy('HIGH'), 'push', input, now), report, subject, server);
    // What the wiring does in-process: blobs first, then the referrer manifest by digest.
    for (const blob of att.referrer.blobs) await client.uploadBlob('team/app', blob);
    await client.putManifest('team/app', digestOf(att.referrer.manifest), att.referrer.manifest, MediaType.OciManifest);

    const r = await verifyAttestationsRemote(client, parseReference(`${srv.hostPort}/team/app:v1`), trustKeys([server.publicKey]), { predicateType: DECISION_PREDICATE_TYPE });
    expect(r.findings.map((f) => [f.ok, f.keyId])).toEqual([[true, server.keyId]]);
  });
});
