/** Wires the identity, audit and auth pieces over an in-memory database, for tests. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { AuditLog } from '../../audit/log.js';
import type { AuditTables } from '../../audit/schema.js';
import { es256Signer } from '../../audit/signing.js';
import { AuditStore } from '../../audit/store.js';
import type { IdentityTables } from '../../identity/schema.js';
import { IdentityStore } from '../../identity/store.js';
import { sqliteTestDb, testHasher } from '../../identity/testdb.js';
import { loadOrCreateServerKey } from './keys.js';
import type { ServerKey } from './keys.js';
import { LoginLimiter } from './lockout.js';
import type { LockoutOptions } from './lockout.js';
import { AuthService } from './service.js';
import { TokenService } from './tokens.js';

export interface Harness {
  db: Kysely<IdentityTables & AuditTables>;
  identity: IdentityStore;
  auditStore: AuditStore;
  audit: AuditLog;
  key: ServerKey;
  tokens: TokenService;
  auth: AuthService;
  dataDir: string;
  close(): Promise<void>;
}

export async function createHarness(opts: { lockout?: LockoutOptions } = {}): Promise<Harness> {
  const db = await sqliteTestDb<IdentityTables & AuditTables>();
  const dataDir = await mkdtemp(join(tmpdir(), 'portcullis-auth-'));
  const key = await loadOrCreateServerKey(dataDir);
  const identity = new IdentityStore(db as unknown as Kysely<IdentityTables>, testHasher());
  const auditStore = new AuditStore(db as unknown as Kysely<AuditTables>);
  const audit = new AuditLog({ store: auditStore, signer: es256Signer(key.privateKey), checkpointEvery: 50 });
  const tokens = new TokenService({ key, issuer: 'portcullis-test', service: 'portcullis' });
  const limiter = new LoginLimiter(opts.lockout);
  const auth = new AuthService({ identity, tokens, limiter, audit });
  return {
    db, identity, auditStore, audit, key, tokens, auth, dataDir,
    async close() {
      await audit.close();
      await db.destroy();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
