/**
 * The server's own ECDSA P-256 key: signs registry tokens (ES256) and audit checkpoints.
 * Generated on first start and kept as PKCS#8 PEM in the data directory (mode 0600).
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { exportJWK } from 'jose';
import type { JWK } from 'jose';
import { keyIdOf } from '../../audit/signing.js';

export interface ServerKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** sha256 of the public key's SubjectPublicKeyInfo (hex); the JWT `kid`. */
  keyId: string;
  path: string;
}

export function serverKeyPath(dataDir: string): string {
  return join(dataDir, 'keys', 'server-key.pem');
}

function fromPem(pem: string, path: string): ServerKey {
  const privateKey = createPrivateKey(pem);
  if (privateKey.asymmetricKeyType !== 'ec' || privateKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new Error(`${path}: the server key must be an ECDSA P-256 private key`);
  }
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, keyId: keyIdOf(publicKey), path };
}

export async function loadServerKey(dataDir: string): Promise<ServerKey> {
  const path = serverKeyPath(dataDir);
  return fromPem(await readFile(path, 'utf8'), path);
}

/**
 * Loads the key, creating it if absent. The new key is written whole to a temporary file and
 * hard-linked into place (atomic, fails if present), so concurrent first starts agree on one key.
 */
export async function loadOrCreateServerKey(dataDir: string): Promise<ServerKey & { created: boolean }> {
  const path = serverKeyPath(dataDir);
  try {
    return { ...fromPem(await readFile(path, 'utf8'), path), created: false };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  const tmp = `${path}.${randomBytes(8).toString('hex')}.tmp`;
  await writeFile(tmp, pem, { flag: 'wx', mode: 0o600 });
  try {
    await link(tmp, path);
    return { ...fromPem(pem, path), created: true };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return { ...fromPem(await readFile(path, 'utf8'), path), created: false };
  } finally {
    await rm(tmp, { force: true });
  }
}

/** The public key as a JWK Set, for anyone verifying tokens issued by this server. */
export async function serverJwks(key: ServerKey): Promise<{ keys: JWK[] }> {
  const jwk = await exportJWK(key.publicKey);
  return { keys: [{ ...jwk, kid: key.keyId, alg: 'ES256', use: 'sig' }] };
}
