/** Signing and verifying audit checkpoints with the server's own key (ECDSA P-256 / ES256). */
import { createHash, createPublicKey, sign, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

export interface CheckpointSigner {
  readonly keyId: string;
  readonly algorithm: 'ES256';
  sign(data: Buffer): Buffer;
}

export interface CheckpointVerifier {
  readonly keyId: string;
  verify(data: Buffer, signature: Buffer): boolean;
}

/** sha256 of the DER SubjectPublicKeyInfo, hex: names the key a checkpoint was signed with. */
export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex');
}

export function es256Signer(privateKey: KeyObject): CheckpointSigner {
  const keyId = keyIdOf(createPublicKey(privateKey));
  return {
    keyId,
    algorithm: 'ES256',
    sign: (data) => sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' }),
  };
}

export function es256Verifier(publicKey: KeyObject): CheckpointVerifier {
  return {
    keyId: keyIdOf(publicKey),
    verify: (data, signature) => verify('sha256', data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature),
  };
}

/** The bytes a checkpoint signature covers. */
export function checkpointMessage(c: { seq: number; hash: string; time: string }): Buffer {
  return Buffer.from(`portcullis-audit-checkpoint\n${c.seq}\n${c.hash}\n${c.time}`, 'utf8');
}
