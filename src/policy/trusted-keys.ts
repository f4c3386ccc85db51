/**
 * The public keys a project trusts for signatures (the pull gate's "signed by a trusted key").
 * Only ECDSA P-256 keys are accepted, as src/signing verifies; each gets the cosign-style key id
 * (hex SHA-256 of its SubjectPublicKeyInfo).
 */
import type { KeyObject } from 'node:crypto';
import type { Kysely } from 'kysely';
import { keyId } from '../signing/bundle.js';
import { KeyError, loadPublicKey, publicKeyPem } from '../signing/keys.js';
import { PolicyStoreError } from './errors.js';

/** Key names: what policies name in `requireSignature.keys`. */
export const TRUSTED_KEY_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** A PEM public key is a few hundred bytes; anything far larger is not one. */
const MAX_PEM_BYTES = 16 * 1024;

export interface TrustedKey {
  name: string;
  keyId: string;
  /** SPKI PEM. */
  publicKey: string;
  addedBy: string;
  createdAt: Date;
}

/** src/signing's TrustedKey (`id` is the key id) plus the name policies use. */
export interface NamedVerificationKey {
  name: string;
  id: string;
  key: KeyObject;
}

export interface TrustedKeyTables {
  trusted_keys: {
    project_id: string;
    name: string;
    key_id: string;
    public_key: string;
    added_by: string;
    created_at: string;
  };
}

type Row = TrustedKeyTables['trusted_keys'];

const toKey = (r: Row): TrustedKey => ({ name: r.name, keyId: r.key_id, publicKey: r.public_key, addedBy: r.added_by, createdAt: new Date(r.created_at) });

/** Parses and checks a PEM public key; the error names the `key` field. */
export function parseTrustedKey(pem: string): { key: KeyObject; keyId: string; pem: string } {
  if (Buffer.byteLength(pem) > MAX_PEM_BYTES) throw new PolicyStoreError('INVALID', 'not a PEM public key (too large)', 'key');
  try {
    const key = loadPublicKey(pem);
    return { key, keyId: keyId(key), pem: publicKeyPem(key) };
  } catch (err) {
    if (err instanceof KeyError) throw new PolicyStoreError('INVALID', err.message, 'key');
    throw err;
  }
}

export class TrustedKeyStore {
  private readonly db: Kysely<TrustedKeyTables>;

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  constructor(db: Kysely<any>) {
    this.db = db as Kysely<TrustedKeyTables>;
  }

  async add(projectId: string, input: { name: string; publicKey: string; addedBy: string }): Promise<TrustedKey> {
    if (!TRUSTED_KEY_NAME.test(input.name)) {
      throw new PolicyStoreError('INVALID', 'key names are 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit', 'name');
    }
    const parsed = parseTrustedKey(input.publicKey);
    const row: Row = {
      project_id: projectId,
      name: input.name,
      key_id: parsed.keyId,
      public_key: parsed.pem,
      added_by: input.addedBy,
      created_at: new Date().toISOString(),
    };
    const conflict = new PolicyStoreError('CONFLICT', `a trusted key named "${input.name}" exists`, 'name');
    if (await this.get(projectId, input.name)) throw conflict;
    try {
      await this.db.insertInto('trusted_keys').values(row).execute();
    } catch (err) {
      if (await this.get(projectId, input.name).catch(() => undefined)) throw conflict;
      throw err;
    }
    return toKey(row);
  }

  async get(projectId: string, name: string): Promise<TrustedKey | undefined> {
    const row = await this.db.selectFrom('trusted_keys').selectAll().where('project_id', '=', projectId).where('name', '=', name).executeTakeFirst();
    return row && toKey(row);
  }

  /** By name. */
  async list(projectId: string): Promise<TrustedKey[]> {
    const rows = await this.db.selectFrom('trusted_keys').selectAll().where('project_id', '=', projectId).orderBy('name').execute();
    return rows.map(toKey);
  }

  async remove(projectId: string, name: string): Promise<void> {
    const r = await this.db.deleteFrom('trusted_keys').where('project_id', '=', projectId).where('name', '=', name).executeTakeFirst();
    if (Number(r.numDeletedRows) === 0) throw new PolicyStoreError('NOT_FOUND', `trusted key "${name}" not found`);
  }

  /** The keys as src/signing's verifiers take them (`verifyRemote(client, ref, keys)`), with the names policies refer to. */
  async verificationKeys(projectId: string): Promise<NamedVerificationKey[]> {
    return (await this.list(projectId)).map((k) => ({ name: k.name, id: k.keyId, key: loadPublicKey(k.publicKey) }));
  }
}
