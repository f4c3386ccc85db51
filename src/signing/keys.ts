import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, scryptSync, type KeyObject } from 'node:crypto';
import { secretbox } from '@noble/ciphers/salsa.js';

/**
 * Signing keys in cosign's formats: ECDSA P-256; the private key as PKCS#8 DER encrypted with
 * go-securesystemslib's `encrypted` scheme (scrypt KDF + NaCl secretbox) inside a PEM block
 * `ENCRYPTED SIGSTORE PRIVATE KEY` (older cosign: `ENCRYPTED COSIGN PRIVATE KEY`); the public key
 * as SPKI PEM.
 */

export const SIGSTORE_PEM_TYPE = 'ENCRYPTED SIGSTORE PRIVATE KEY';
export const COSIGN_PEM_TYPE = 'ENCRYPTED COSIGN PRIVATE KEY';

/** The scrypt strengths go-securesystemslib writes and accepts (legacy, standard, OWASP); r=8, p=1. */
const ACCEPTED_SCRYPT_N = new Set([32768, 65536, 131072]);
const DEFAULT_SCRYPT = { N: 32768, r: 8, p: 1 } as const;
const KEY_LEN = 32;
const SALT_LEN = 32;
const NONCE_LEN = 24;

export class KeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyError';
  }
}

export interface SigningKeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export function generateKeyPair(): SigningKeyPair {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' });
}

interface EncryptedBox {
  kdf: { name: string; params: { N: number; r: number; p: number }; salt: string };
  cipher: { name: string; nonce: string };
  ciphertext: string;
}

function deriveKey(password: Buffer, salt: Buffer, params: { N: number; r: number; p: number }): Buffer {
  // 128·N·r bytes of scratch memory: 32 MiB at N=32768, 128 MiB at the OWASP strength.
  return scryptSync(password, salt, KEY_LEN, { N: params.N, r: params.r, p: params.p, maxmem: 256 * 1024 * 1024 });
}

/** go-securesystemslib `encrypted.Encrypt`: JSON with the KDF parameters, nonce and sealed box. */
export function encryptBytes(plaintext: Uint8Array, password: string | Buffer): Buffer {
  const salt = randomBytes(SALT_LEN);
  const nonce = randomBytes(NONCE_LEN);
  const key = deriveKey(Buffer.from(password), salt, DEFAULT_SCRYPT);
  const sealed = secretbox(key, nonce).seal(plaintext);
  const box: EncryptedBox = {
    kdf: { name: 'scrypt', params: { ...DEFAULT_SCRYPT }, salt: salt.toString('base64') },
    cipher: { name: 'nacl/secretbox', nonce: nonce.toString('base64') },
    ciphertext: Buffer.from(sealed).toString('base64'),
  };
  return Buffer.from(JSON.stringify(box));
}

/** go-securesystemslib `encrypted.Decrypt`; a wrong password and a tampered box are the same error. */
export function decryptBytes(data: Uint8Array, password: string | Buffer): Buffer {
  let box: EncryptedBox;
  try {
    box = JSON.parse(Buffer.from(data).toString('utf8')) as EncryptedBox;
  } catch {
    throw new KeyError('encrypted key: not the expected JSON document');
  }
  if (box?.kdf?.name !== 'scrypt') throw new KeyError(`encrypted key: unsupported KDF ${String(box?.kdf?.name)}`);
  if (box.cipher?.name !== 'nacl/secretbox') throw new KeyError(`encrypted key: unsupported cipher ${String(box.cipher?.name)}`);
  const { N, r, p } = box.kdf.params ?? {};
  if (!ACCEPTED_SCRYPT_N.has(N) || r !== 8 || p !== 1) throw new KeyError('encrypted key: unsupported scrypt parameters');
  const salt = Buffer.from(box.kdf.salt ?? '', 'base64');
  const nonce = Buffer.from(box.cipher.nonce ?? '', 'base64');
  const sealed = Buffer.from(box.ciphertext ?? '', 'base64');
  if (nonce.length !== NONCE_LEN || salt.length === 0) throw new KeyError('encrypted key: malformed salt or nonce');
  const key = deriveKey(Buffer.from(password), salt, { N, r, p });
  try {
    return Buffer.from(secretbox(key, nonce).open(sealed));
  } catch {
    throw new KeyError('encrypted key: decryption failed (wrong password or corrupted key)');
  }
}

/** Splits the first PEM block into its type and DER bytes. */
export function decodePem(pem: string): { type: string; der: Buffer } {
  const m = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/.exec(pem);
  if (!m) throw new KeyError('not a PEM document');
  const body = m[2]!
    .split(/\r?\n/)
    .filter((l) => l.length > 0 && !l.includes(':'))
    .join('');
  return { type: m[1]!, der: Buffer.from(body, 'base64') };
}

export function encodePem(type: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${type}-----\n${lines.join('\n')}\n-----END ${type}-----\n`;
}

/** The private key in cosign's encrypted PEM (what `cosign generate-key-pair` writes to cosign.key). */
export function encryptPrivateKey(privateKey: KeyObject, password: string | Buffer): string {
  assertP256(privateKey);
  const der = privateKey.export({ format: 'der', type: 'pkcs8' });
  return encodePem(SIGSTORE_PEM_TYPE, encryptBytes(der, password));
}

/**
 * Loads a private key: cosign/sigstore encrypted PEM (with the password), or an unencrypted
 * PKCS#8 / SEC1 PEM as `cosign import-key-pair` reads.
 */
export function loadPrivateKey(pem: string, password: string | Buffer | undefined): KeyObject {
  const { type, der } = decodePem(pem);
  let key: KeyObject;
  if (type === SIGSTORE_PEM_TYPE || type === COSIGN_PEM_TYPE) {
    if (password === undefined) throw new KeyError('the private key is encrypted: a password is needed');
    const pkcs8 = decryptBytes(der, password);
    try {
      key = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
    } catch {
      throw new KeyError('decrypted key is not PKCS#8');
    }
  } else if (type === 'PRIVATE KEY' || type === 'EC PRIVATE KEY') {
    try {
      key = createPrivateKey(pem);
    } catch {
      throw new KeyError(`cannot parse ${type}`);
    }
  } else {
    throw new KeyError(`unsupported private key PEM type "${type}"`);
  }
  assertP256(key);
  return key;
}

/** A PEM public key (SPKI) or certificate-free `PUBLIC KEY` block; must be ECDSA P-256. */
export function loadPublicKey(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch {
    throw new KeyError('not a PEM public key');
  }
  assertP256(key);
  return key;
}

export function publicKeyPem(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return pub.export({ format: 'pem', type: 'spki' }).toString();
}

export function publicKeyDer(key: KeyObject): Buffer {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return pub.export({ format: 'der', type: 'spki' });
}

function assertP256(key: KeyObject): void {
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    const what = key.asymmetricKeyType === 'ec' ? `EC ${key.asymmetricKeyDetails?.namedCurve}` : key.asymmetricKeyType;
    throw new KeyError(`only ECDSA P-256 keys are supported (got ${what})`);
  }
}
