import { spawnSync } from 'node:child_process';
import { createHash, generateKeyPairSync, sign as nodeSign } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleFromJSON } from '@sigstore/bundle';
import { PublicKeyDetails, type TrustedRoot } from '@sigstore/protobuf-specs';
import { toSignedEntity, toTrustMaterial, Verifier } from '@sigstore/verify';
import { afterAll, describe, expect, it } from 'vitest';
import { digestOf } from '../image/digest.js';
import { inTotoStatement, predicateTypeFor, signStatement, subjectFor } from './attest.js';
import { dsseBundle, keyId, messageSignatureBundle, type SigstoreBundle } from './bundle.js';
import { generateKeyPair, loadPublicKey, publicKeyDer, publicKeyPem } from './keys.js';
import { SIGNATURE_ANNOTATION, signImage } from './simplesigning.js';
import { trustKeys, verifySimpleSigning } from './verify.js';

/** Our signatures checked by independent implementations, and theirs by ours. */

const dir = mkdtempSync(join(tmpdir(), 'portcullis-interop-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const keys = generateKeyPair();
const IMAGE = digestOf('some manifest');
const hasOpenssl = spawnSync('openssl', ['version']).status === 0;

describe.skipIf(!hasOpenssl)('openssl verifies our simple-signing signatures', () => {
  const pub = join(dir, 'pub.pem');
  writeFileSync(pub, publicKeyPem(keys.publicKey));
  const layer = signImage('reg.example.com/app', IMAGE, keys.privateKey);

  function opensslVerify(payload: Buffer, sigB64: string): { status: number | null; out: string } {
    const p = join(dir, `payload-${Math.random()}`);
    const s = join(dir, `sig-${Math.random()}`);
    writeFileSync(p, payload);
    writeFileSync(s, Buffer.from(sigB64, 'base64'));
    const r = spawnSync('openssl', ['dgst', '-sha256', '-verify', pub, '-signature', s, p], { encoding: 'utf8' });
    return { status: r.status, out: r.stdout + r.stderr };
  }

  it('accepts the genuine signature', () => {
    const r = opensslVerify(layer.blob, layer.annotations[SIGNATURE_ANNOTATION]!);
    expect(r.out).toContain('Verified OK');
    expect(r.status).toBe(0);
  });

  it('rejects a tampered payload and a tampered signature', () => {
    const tampered = Buffer.from(layer.blob.toString().replace('reg.example.com/app', 'reg.example.com/evil'));
    expect(opensslVerify(tampered, layer.annotations[SIGNATURE_ANNOTATION]!).status).not.toBe(0);
    const sig = Buffer.from(layer.annotations[SIGNATURE_ANNOTATION]!, 'base64');
    sig[sig.length - 3] = sig[sig.length - 3]! ^ 0x01;
    expect(opensslVerify(layer.blob, sig.toString('base64')).status).not.toBe(0);
  });
});

describe('@sigstore/verify verifies our bundles with our key as trust material', () => {
  const hint = keyId(keys.publicKey);
  const trustedRoot: TrustedRoot = {
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [],
    certificateAuthorities: [],
    ctlogs: [],
    timestampAuthorities: [],
  };
  const material = toTrustMaterial(trustedRoot, {
    [hint]: { rawBytes: publicKeyDer(keys.publicKey), keyDetails: PublicKeyDetails.PKIX_ECDSA_P256_SHA_256, validFor: { start: new Date(0) } },
  });
  const verifier = new Verifier(material, { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 });
  const verifyWith = (bundle: SigstoreBundle, artifact?: Buffer) => verifier.verify(toSignedEntity(bundleFromJSON(bundle), artifact));

  it('accepts a message-signature bundle, and rejects it for other bytes', () => {
    const artifact = Buffer.from('release tarball');
    const bundle = messageSignatureBundle(artifact, keys.privateKey);
    expect(verifyWith(bundle, artifact).key).toBeDefined();
    expect(() => verifyWith(bundle, Buffer.from('release tarbaLL'))).toThrow(/signature verification failed/);
  });

  it('accepts a DSSE in-toto bundle, and rejects a tampered envelope', () => {
    const st = inTotoStatement([subjectFor('reg/app', IMAGE)], predicateTypeFor('vuln'), { scanner: { uri: 'portcullis' } });
    const bundle = dsseBundle(signStatement(st, keys.privateKey, hint), keys.privateKey);
    expect(verifyWith(bundle).key).toBeDefined();
    const env = bundle.dsseEnvelope!;
    const forged = { ...bundle, dsseEnvelope: { ...env, payload: Buffer.from(JSON.stringify({ ...st, predicate: { forged: true } })).toString('base64') } };
    expect(() => verifyWith(forged)).toThrow(/signature verification failed/);
  });

  it('rejects a bundle signed by another key under our hint', () => {
    const rogue = generateKeyPair();
    const bundle = messageSignatureBundle(Buffer.from('x'), rogue.privateKey);
    bundle.verificationMaterial.publicKey = { hint };
    expect(() => verifyWith(bundle, Buffer.from('x'))).toThrow(/signature verification failed/);
  });
});

describe('our verifier accepts a cosign-format signature made independently', () => {
  it('with only node:crypto, following the published payload format', () => {
    // Deliberately not using any Portcullis signing code: this is what another tool would produce.
    const kp = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const manifestDigest = 'sha256:' + createHash('sha256').update('independent image').digest('hex');
    const payload = Buffer.from(
      '{"critical":{"identity":{"docker-reference":"registry.local/team/app"},"image":{"docker-manifest-digest":"' +
        manifestDigest +
        '"},"type":"cosign container image signature"},"optional":{"creator":"elsewhere"}}',
    );
    const signature = nodeSign('sha256', payload, kp.privateKey).toString('base64');
    const pubPem = kp.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const layerDigest = 'sha256:' + createHash('sha256').update(payload).digest('hex');

    const verdict = verifySimpleSigning({ payload, signature, layerDigest }, trustKeys([loadPublicKey(pubPem)]), {
      manifestDigest,
      identity: 'registry.local/team/app',
    });
    expect(verdict).toMatchObject({ ok: true, value: { optional: { creator: 'elsewhere' } } });
    expect(verifySimpleSigning({ payload, signature }, trustKeys([keys.publicKey]), { manifestDigest }).ok).toBe(false);
  });
});
