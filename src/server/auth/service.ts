/** Credential checks (with lockout and audit) and grants: everything the token endpoint and /v2 need. */
import type { AuditRecorder } from '../../audit/event.js';
import { parseRobotAccountName, projectOfRepository } from '../../identity/names.js';
import type { IdentityStore } from '../../identity/store.js';
import { authorize, authorizeCatalog } from './authorize.js';
import type { LoginLimiter } from './lockout.js';
import { robotPrincipal, userPrincipal } from './principal.js';
import type { Principal } from './principal.js';
import type { AccessEntry, Scope } from './scope.js';
import type { TokenActor, TokenService } from './tokens.js';

export interface ClientInfo {
  source: string | null;
  userAgent: string | null;
}

export type LoginResult =
  | { ok: true; principal: Exclude<Principal, { kind: 'anonymous' }>; credentialVersion: number }
  | { ok: false; reason: 'invalid' | 'locked' | 'revoked' | 'expired'; retryAfterMs?: number };

export interface AuthServiceOptions {
  identity: IdentityStore;
  tokens: TokenService;
  limiter: LoginLimiter;
  audit: AuditRecorder;
  /** Absolute URL of the token endpoint; derived from the request when absent. */
  realm?: string;
}

export function actorOf(p: Principal): TokenActor {
  return p.kind === 'anonymous' ? { kind: 'anonymous', id: null, name: null } : { kind: p.kind, id: p.id, name: p.name };
}

export class AuthService {
  constructor(readonly options: AuthServiceOptions) {}

  get identity(): IdentityStore {
    return this.options.identity;
  }
  get tokens(): TokenService {
    return this.options.tokens;
  }
  get audit(): AuditRecorder {
    return this.options.audit;
  }

  /** Checks a name and password (or robot secret); every outcome is an audit event. */
  async login(username: string, password: string, client: ClientInfo): Promise<LoginResult> {
    const result = await this.checkLogin(username, password, client);
    if (result.ok) this.options.limiter.succeed(username);
    else if (result.reason !== 'locked') this.options.limiter.fail(username, client.source);
    const robot = parseRobotAccountName(username) !== undefined;
    await this.options.audit.record({
      // The name is whatever the client sent: bounded, so the trail cannot be flooded through it.
      actor: { type: robot ? 'robot' : 'user', name: username.slice(0, 256) },
      source: client.source,
      userAgent: client.userAgent,
      action: 'auth.login',
      outcome: result.ok ? 'success' : 'failure',
      reasons: result.ok ? [] : [result.reason === 'invalid' ? 'invalid credentials' : `account ${result.reason}`],
    });
    return result;
  }

  private async checkLogin(username: string, password: string, client: ClientInfo): Promise<LoginResult> {
    const lock = this.options.limiter.check(username, client.source);
    if (lock.locked) return { ok: false, reason: 'locked', retryAfterMs: lock.retryAfterMs };
    if (parseRobotAccountName(username)) {
      const robot = await this.options.identity.verifyRobotSecret(username, password);
      if (!robot) return { ok: false, reason: 'invalid' };
      if (robot.revoked) return { ok: false, reason: 'revoked' };
      if (robot.expiresAt && robot.expiresAt.getTime() <= Date.now()) return { ok: false, reason: 'expired' };
      return { ok: true, credentialVersion: 1, principal: robotPrincipal(robot) };
    }
    const user = await this.options.identity.verifyUserPassword(username, password);
    if (!user) return { ok: false, reason: 'invalid' };
    return { ok: true, credentialVersion: user.credentialVersion, principal: userPrincipal(user) };
  }

  /** The principal behind a refresh (identity) token, if the account still exists and is usable. */
  async principalFromRefreshToken(token: string): Promise<Exclude<Principal, { kind: 'anonymous' }> | undefined> {
    let claims;
    try {
      claims = await this.options.tokens.verifyRefreshToken(token);
    } catch {
      return undefined;
    }
    const { actor, credentialVersion } = claims;
    if (actor.kind === 'user') {
      const user = await this.options.identity.getUserById(actor.id ?? '');
      if (!user || user.credentialVersion !== credentialVersion) return undefined;
      return userPrincipal(user);
    }
    const robot = await this.options.identity.getRobot(actor.name ?? '');
    if (!robot || robot.id !== actor.id || robot.revoked) return undefined;
    if (robot.expiresAt && robot.expiresAt.getTime() <= Date.now()) return undefined;
    return robotPrincipal(robot);
  }

  /** What the principal is allowed of the requested scopes; only granted actions, only known resource types. */
  async grant(principal: Principal, scopes: readonly Scope[], now = new Date()): Promise<AccessEntry[]> {
    const out: AccessEntry[] = [];
    for (const scope of scopes) {
      let actions: string[] = [];
      if (scope.type === 'repository') actions = await this.grantRepository(principal, scope, now);
      else if (scope.type === 'registry' && scope.name === 'catalog') actions = authorizeCatalog(principal, scope.actions);
      if (actions.length > 0) out.push({ type: scope.type, name: scope.name, actions });
    }
    return out;
  }

  private async grantRepository(principal: Principal, scope: Scope, now: Date): Promise<string[]> {
    const project = await this.options.identity.getProject(projectOfRepository(scope.name));
    const role = principal.kind === 'user' && project ? await this.options.identity.roleOf(project.id, principal.id) : null;
    return authorize({ principal, project: project ?? null, role, requested: scope.actions, now });
  }
}
