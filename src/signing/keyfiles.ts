import type { KeyObject } from 'node:crypto';
import { access, readFile, writeFile } from 'node:fs/promises';
import { COSIGN_PEM_TYPE, decodePem, encryptPrivateKey, generateKeyPair, loadPrivateKey, loadPublicKey, publicKeyPem, SIGSTORE_PEM_TYPE } from './keys.js';
import { resolvePassword, type PasswordOptions } from './password.js';
import { trustKeys, type TrustedKey } from './verify.js';

/** Key files as the CLI reads and writes them (cosign.key / cosign.pub). */

export async function readSigningKey(path: string, pw: PasswordOptions = {}): Promise<KeyObject> {
  const pem = await readFile(path, 'utf8');
  const { type } = decodePem(pem);
  const encrypted = type === SIGSTORE_PEM_TYPE || type === COSIGN_PEM_TYPE;
  const password = encrypted ? await resolvePassword(pw) : undefined;
  try {
    return loadPrivateKey(pem, password);
  } catch (err) {
    throw new Error(`${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export async function readTrustedKeys(paths: string[]): Promise<TrustedKey[]> {
  if (paths.length === 0) throw new Error('at least one --key public key is needed');
  const keys: KeyObject[] = [];
  for (const p of paths) {
    try {
      keys.push(loadPublicKey(await readFile(p, 'utf8')));
    } catch (err) {
      throw new Error(`${p}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return trustKeys(keys);
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** Writes `<prefix>.key` (encrypted, mode 0600) and `<prefix>.pub`; never overwrites unless told. */
export async function writeKeyPair(prefix: string, opts: { force?: boolean; password?: PasswordOptions } = {}): Promise<{ keyPath: string; pubPath: string }> {
  const keyPath = `${prefix}.key`;
  const pubPath = `${prefix}.pub`;
  if (!opts.force) {
    for (const p of [keyPath, pubPath]) if (await exists(p)) throw new Error(`${p} exists (use --force to overwrite)`);
  }
  const password = await resolvePassword({ ...opts.password, confirm: true });
  const { privateKey, publicKey } = generateKeyPair();
  await writeFile(keyPath, encryptPrivateKey(privateKey, password), { mode: 0o600 });
  await writeFile(pubPath, publicKeyPem(publicKey), { mode: 0o644 });
  return { keyPath, pubPath };
}
