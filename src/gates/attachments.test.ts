import type { Logger } from 'pino';
import { describe, expect, it } from 'vitest';
import { digestOf } from '../image/digest.js';
import { parseManifest } from '../image/manifest.js';
import { MediaType } from '../image/mediatypes.js';
import { DEFAULT_POLICY, evaluate, type Policy } from '../policy/index.js';
import type { ManifestPushContext, Registry } from '../registry/registry.js';
import type { ScanReport } from '../scan/types.js';
import { BUNDLE_V03_MEDIA_TYPE, bundleAnnotations, COSIGN_SIGN_PREDICATE, generateKeyPair, PREDICATE_TYPES } from '../signing/index.js';
import { referrerKind } from './attachments.js';
import { DecisionAttester } from './decision-attestation.js';

describe('what a referrer is', () => {
  it('tells signatures, attestations and SBOMs apart by artifact type and bundle annotations', () => {
    expect(referrerKind(BUNDLE_V03_MEDIA_TYPE, bundleAnnotations('dsse-envelope', COSIGN_SIGN_PREDICATE))).toBe('signature');
    expect(referrerKind(BUNDLE_V03_MEDIA_TYPE, bundleAnnotations('message-signature', undefined))).toBe('signature');
    expect(referrerKind(BUNDLE_V03_MEDIA_TYPE, bundleAnnotations('dsse-envelope', PREDICATE_TYPES.vuln))).toBe('attestation');
    expect(referrerKind(BUNDLE_V03_MEDIA_TYPE, null)).toBe('signature');
    expect(referrerKind('application/vnd.cyclonedx+json', null)).toBe('sbom');
    expect(referrerKind('application/spdx+json', null)).toBe('sbom');
    expect(referrerKind('application/vnd.in-toto+json', null)).toBe('attestation');
    expect(referrerKind('application/vnd.cncf.notary.signature', null)).toBe('signature');
    expect(referrerKind('application/vnd.cncf.helm.config.v1+json', null)).toBe('other');
    expect(referrerKind(null, null)).toBe('other');
  });
});

describe('the decision attester', () => {
  const content = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.OciManifest, config: { mediaType: MediaType.OciConfig, digest: digestOf('c'), size: 1 }, layers: [] }));
  const ctx = (): ManifestPushContext => ({ repository: 'team/app', repositoryId: 1, digest: digestOf(content), parsed: parseManifest(content, MediaType.OciManifest), content });
  const report = { tool: { name: 'portcullis', version: '0' }, createdAt: new Date(0).toISOString(), scanners: [], totals: {} } as unknown as ScanReport;
  const allowed = evaluate(DEFAULT_POLICY, 'push', { scanned: true, vulnerabilities: [], secrets: [], misconfigurations: [], baseImages: [] });
  const optedIn: Policy = { ...DEFAULT_POLICY, attestDecision: true };

  function fakeRegistry(failManifest: boolean): { registry: Registry; blobs: string[]; manifests: Buffer[] } {
    const blobs: string[] = [];
    const manifests: Buffer[] = [];
    const registry = {
      putBlob: async (_repo: string, digest: string) => {
        blobs.push(digest);
        return 0;
      },
      putManifest: async (_repo: string, _ref: string, manifest: Buffer) => {
        if (failManifest) throw new Error('quota exceeded');
        manifests.push(manifest);
        return { digest: digestOf(manifest) };
      },
    } as unknown as Registry;
    return { registry, blobs, manifests };
  }

  it('writes the bundle referrer once, only for opted-in allowed pushes it was told about', async () => {
    const key = generateKeyPair();
    const attester = new DecisionAttester(key, undefined);
    const fake = fakeRegistry(false);
    const c = ctx();
    attester.remember(c, DEFAULT_POLICY, allowed, report); // not opted in
    await attester.stored(fake.registry, c);
    expect(fake.manifests).toHaveLength(0);

    attester.remember(c, optedIn, allowed, report);
    const retagged = { ...c, previousTagDigest: digestOf('x'), tagMoved: true }; // the hook gets a copy of the context
    await attester.stored(fake.registry, retagged);
    await attester.stored(fake.registry, c); // the referrer's own manifestPut, or a second call: nothing more
    expect(fake.manifests).toHaveLength(1);
    const m = JSON.parse(fake.manifests[0]!.toString()) as { subject: { digest: string }; layers: { digest: string }[] };
    expect(m.subject.digest).toBe(c.digest);
    expect(fake.blobs).toContain(m.layers[0]!.digest);

    attester.remember(c, optedIn, { ...allowed, allowed: false }, report);
    await attester.stored(fake.registry, c);
    expect(fake.manifests).toHaveLength(1);
  });

  it('logs a failed write and never throws (the client push has succeeded)', async () => {
    const warnings: unknown[] = [];
    const logger = { warn: (o: unknown) => warnings.push(o), info: () => undefined } as unknown as Logger;
    const attester = new DecisionAttester(generateKeyPair(), logger);
    const c = ctx();
    attester.remember(c, optedIn, allowed, report);
    await expect(attester.stored(fakeRegistry(true).registry, c)).resolves.toBeUndefined();
    expect(warnings).toHaveLength(1);
  });

  it('does nothing without a server key', async () => {
    const attester = new DecisionAttester(undefined, undefined);
    const fake = fakeRegistry(false);
    attester.remember(ctx(), optedIn, allowed, report);
    await attester.stored(fake.registry, ctx());
    expect(fake.manifests).toHaveLength(0);
  });
});
