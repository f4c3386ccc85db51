import { createHash, createPublicKey, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodePem, decryptBytes, encryptPrivateKey, generateKeyPair, KeyError, loadPrivateKey, loadPublicKey, publicKeyPem, SIGSTORE_PEM_TYPE } from './keys.js';

/**
 * Interop vectors from public test fixtures:
 * - go-securesystemslib, encrypted/encrypted_test.go (TestDecrypt, kdfVectors): boxes of the
 *   plaintext "reallyimportant" under the passphrase "supersecret" (N=32768 and N=65536).
 * - sigstore/cosign, pkg/cosign/keys_test.go (`pemsigstorekey`): a key cosign wrote, password "hello".
 */
const GO_VECTORS = [
  '{"kdf":{"name":"scrypt","params":{"N":32768,"r":8,"p":1},"salt":"N9a7x5JFGbrtB2uBR81jPwp0eiLR4A7FV3mjVAQrg1g="},"cipher":{"name":"nacl/secretbox","nonce":"2h8HxMmgRfuYdpswZBQaU3xJ1nkA/5Ik"},"ciphertext":"SEW6sUh0jf2wfdjJGPNS9+bkk2uB+Cxamf32zR8XkQ=="}',
  '{"kdf":{"name":"scrypt","params":{"N":65536,"r":8,"p":1},"salt":"FhzPOt9/bJG4PTq6lQ6ecG6GzaOuOy/ynG5+yRiFlNs="},"cipher":{"name":"nacl/secretbox","nonce":"aw1ng1jHaDz/tQ7V2gR9O2+IGQ8xJEuE"},"ciphertext":"HycvuLZL4sYH0BrYTh4E/H20VtAW6u5zL5Pr+IBjYLYnCPzDkq8="}',
];

const COSIGN_SIGSTORE_KEY = `-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----
eyJrZGYiOnsibmFtZSI6InNjcnlwdCIsInBhcmFtcyI6eyJOIjozMjc2OCwiciI6
OCwicCI6MX0sInNhbHQiOiI3T3VGd2VsbWZZNXVId2NoaURSc210anNwZ2ZlZjFG
Mk5lOGFDTjVLYVpZPSJ9LCJjaXBoZXIiOnsibmFtZSI6Im5hY2wvc2VjcmV0Ym94
Iiwibm9uY2UiOiJQNHk4OGhCb3ZTa09MbXN0bFVBaGJwdDJ0K2xTNUxQSCJ9LCJj
aXBoZXJ0ZXh0IjoiMnB1QzdyZldJOWh3bnJlQ2s4aUZDRlVwQlRrSzRJNlIvbFBF
cnBDekpXUGpJWXl4eGVIL1A2VW52cFJHdVhla1NNb3JMdGhLamdoQ1JlNy82NDVH
QWtoVm1LRC92eEF0S2EvbE1abENSQ3FlekJGUFd1dzNpeFRtZ2xhb2J1ZFVSbUVs
bmNGOGlZbzBTMVl6Y1ZOMVFwY2J2c0dNcUlYRzVlbmdteGp5dCtBcXlyZTF0Q0Y0
V01tU1BlaEljNlBqd2h1Q2xHaVpJUWRvTGc9PSJ9
-----END ENCRYPTED SIGSTORE PRIVATE KEY-----`;

describe('cosign encrypted key format', () => {
  it('decrypts go-securesystemslib test vectors', () => {
    expect(decryptBytes(Buffer.from(GO_VECTORS[0]!), 'supersecret').toString()).toBe('reallyimportant');
    // kdfVectors go through encrypted.Marshal, which JSON-encodes the []byte (a base64 string) first.
    const marshalled = JSON.parse(decryptBytes(Buffer.from(GO_VECTORS[1]!), 'supersecret').toString()) as string;
    expect(Buffer.from(marshalled, 'base64').toString()).toBe('reallyimportant');
    expect(() => decryptBytes(Buffer.from(GO_VECTORS[0]!), 'wrong')).toThrow(/wrong password/);
  });

  it('rejects scrypt parameters outside the accepted strengths', () => {
    const odd = GO_VECTORS[0]!.replace('"N":32768', '"N":1048576');
    expect(() => decryptBytes(Buffer.from(odd), 'supersecret')).toThrow(/unsupported scrypt parameters/);
  });

  it('loads the private key cosign wrote (keys_test.go fixture)', () => {
    const key = loadPrivateKey(COSIGN_SIGSTORE_KEY, 'hello');
    expect(key.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(() => loadPrivateKey(COSIGN_SIGSTORE_KEY, 'hell0')).toThrow(KeyError);
    const sig = sign('sha256', Buffer.from('x'), key);
    expect(verify('sha256', Buffer.from('x'), createPublicKey(key), sig)).toBe(true);
  });

  it('round-trips generated keys and writes the SIGSTORE PEM type', () => {
    const { privateKey, publicKey } = generateKeyPair();
    const pem = encryptPrivateKey(privateKey, 'pw');
    expect(decodePem(pem).type).toBe(SIGSTORE_PEM_TYPE);
    const box = JSON.parse(decodePem(pem).der.toString()) as { kdf: { params: unknown; salt: string }; cipher: { nonce: string } };
    expect(box.kdf.params).toEqual({ N: 32768, r: 8, p: 1 });
    expect(Buffer.from(box.kdf.salt, 'base64')).toHaveLength(32);
    expect(Buffer.from(box.cipher.nonce, 'base64')).toHaveLength(24);
    const loaded = loadPrivateKey(pem, 'pw');
    expect(publicKeyPem(loaded)).toBe(publicKeyPem(publicKey));
    expect(loadPublicKey(publicKeyPem(publicKey)).asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    // Tampering with one ciphertext byte must not yield a key.
    const { der } = decodePem(pem);
    const doc = JSON.parse(der.toString()) as { ciphertext: string };
    const ct = Buffer.from(doc.ciphertext, 'base64');
    ct[5] = ct[5]! ^ 1;
    doc.ciphertext = ct.toString('base64');
    const tampered = `-----BEGIN ${SIGSTORE_PEM_TYPE}-----\n${Buffer.from(JSON.stringify(doc)).toString('base64')}\n-----END ${SIGSTORE_PEM_TYPE}-----\n`;
    expect(() => loadPrivateKey(tampered, 'pw')).toThrow(/decryption failed/);
  });

  it('refuses keys that are not ECDSA P-256', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    expect(() => loadPublicKey(rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString())).toThrow(/only ECDSA P-256/);
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    expect(() => loadPrivateKey(p384.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), undefined)).toThrow(/only ECDSA P-256/);
    expect(() => loadPrivateKey('-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----', undefined)).toThrow(/password/);
    expect(createHash('sha256').update('').digest('hex')).toHaveLength(64);
  });
});
