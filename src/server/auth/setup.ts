/**
 * Everything identity, auth and audit need at serve startup, built from the shared metadata
 * database and the data directory. The caller registers `tokenRoutes` and `apiRoutes` and
 * passes `accessControl` to the /v2 routes.
 */
import type { Kysely } from 'kysely';
import { AuditLog } from '../../audit/log.js';
import type { AuditTables } from '../../audit/schema.js';
import { es256Signer, es256Verifier } from '../../audit/signing.js';
import type { CheckpointVerifier } from '../../audit/signing.js';
import { AuditStore } from '../../audit/store.js';
import { createSinks } from '../../audit/sinks/index.js';
import type { SinkConfig } from '../../audit/sinks/index.js';
import { PasswordHasher } from '../../identity/password.js';
import type { PasswordHashParams } from '../../identity/password.js';
import type { IdentityTables } from '../../identity/schema.js';
import { IdentityStore } from '../../identity/store.js';
import { IdentityAccessControl } from './access.js';
import { loadOrCreateServerKey } from './keys.js';
import type { ServerKey } from './keys.js';
import { LoginLimiter } from './lockout.js';
import type { LockoutOptions } from './lockout.js';
import { AuthService } from './service.js';
import { TokenService } from './tokens.js';

export interface SecurityOptions {
  /** The metadata database (after migrations), shared with the registry. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>;
  dataDir: string;
  /** Token `iss` (default "portcullis"). */
  issuer?: string;
  /** Token `aud` / the `service` in challenges (default "portcullis"). */
  service?: string;
  /** Absolute token endpoint URL for challenges; default: derived from each request. */
  realm?: string;
  accessTokenTtlSeconds?: number;
  refreshTokenTtlSeconds?: number;
  lockout?: LockoutOptions;
  hashParams?: PasswordHashParams;
  audit?: { sinks?: SinkConfig[]; checkpointEvery?: number };
  /** Password for the first `admin`; default PORTCULLIS_ADMIN_PASSWORD, else random. */
  adminPassword?: string;
  onSinkError?: (sink: string, error: unknown) => void;
}

export interface Security {
  identity: IdentityStore;
  auth: AuthService;
  audit: AuditLog;
  key: ServerKey;
  accessControl: IdentityAccessControl;
  auditVerifiers: CheckpointVerifier[];
  /** Set on the very first start: print the password once, never log it. */
  initialAdmin: { name: string; password: string; generated: boolean } | null;
  /** Signs a final checkpoint and flushes the sinks. */
  close(): Promise<void>;
}

export async function createSecurity(opts: SecurityOptions): Promise<Security> {
  const key = await loadOrCreateServerKey(opts.dataDir);
  const identity = new IdentityStore(opts.db as Kysely<IdentityTables>, new PasswordHasher(opts.hashParams));
  const signer = es256Signer(key.privateKey);
  const audit = new AuditLog({
    store: new AuditStore(opts.db as Kysely<AuditTables>),
    sinks: createSinks(opts.audit?.sinks ?? []),
    signer,
    ...(opts.audit?.checkpointEvery ? { checkpointEvery: opts.audit.checkpointEvery } : {}),
    ...(opts.onSinkError ? { onSinkError: opts.onSinkError } : {}),
  });
  const tokens = new TokenService({
    key,
    issuer: opts.issuer ?? 'portcullis',
    service: opts.service ?? 'portcullis',
    ...(opts.accessTokenTtlSeconds ? { accessTtlSeconds: opts.accessTokenTtlSeconds } : {}),
    ...(opts.refreshTokenTtlSeconds ? { refreshTtlSeconds: opts.refreshTokenTtlSeconds } : {}),
  });
  const auth = new AuthService({
    identity,
    tokens,
    limiter: new LoginLimiter(opts.lockout),
    audit,
    ...(opts.realm ? { realm: opts.realm } : {}),
  });
  const initialAdmin = await identity.ensureInitialAdmin(opts.adminPassword ?? process.env.PORTCULLIS_ADMIN_PASSWORD);
  if (initialAdmin) {
    await audit.record({ actor: { type: 'system', name: null }, action: 'user.create', outcome: 'success', detail: { user: initialAdmin.name, admin: true, initial: true } });
  }
  return {
    identity,
    auth,
    audit,
    key,
    accessControl: new IdentityAccessControl(auth),
    auditVerifiers: [es256Verifier(key.publicKey)],
    initialAdmin,
    async close() {
      await audit.checkpoint();
      await audit.close();
    },
  };
}
