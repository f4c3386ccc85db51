/**
 * The /v2 routes' AccessControl backed by identity: token or Basic authentication, the
 * authorisation matrix, and DENIED / UNAUTHORIZED with the Docker challenge.
 */
import type { FastifyRequest } from 'fastify';
import { RegistryError } from '../../registry/errors.js';
import type { AccessControl, AccessRequest, Principal as V2Principal } from '../distribution/access.js';
import { robotPrincipal, userPrincipal } from './principal.js';
import type { Principal } from './principal.js';
import { authenticateRequest } from './request.js';
import { covers } from './scope.js';
import type { AccessEntry, Scope } from './scope.js';
import type { AuthService } from './service.js';
import type { TokenActor } from './tokens.js';

export function scopesFor(access: AccessRequest): Scope[] {
  switch (access.type) {
    case 'base':
      return [];
    case 'catalog':
      return [{ type: 'registry', name: 'catalog', actions: ['*'] }];
    case 'repository':
      return [{ type: 'repository', name: access.repository, actions: [...access.actions] }];
  }
}

/** Who made each /v2 request, also when it was refused: the audit event of a refusal names them. */
const requestActors = new WeakMap<FastifyRequest, TokenActor>();

export function actorOfRequest(request: FastifyRequest): TokenActor | undefined {
  return requestActors.get(request);
}

export class IdentityAccessControl implements AccessControl {
  /** What each authenticated request was granted, so canPull rarely needs the database. */
  private readonly granted = new WeakMap<V2Principal, AccessEntry[]>();

  constructor(private readonly auth: AuthService) {}

  async authorize(request: FastifyRequest, access: AccessRequest): Promise<V2Principal> {
    const outcome = await authenticateRequest(request, this.auth, scopesFor(access));
    if (outcome.actor) requestActors.set(request, outcome.actor);
    if (!outcome.ok) throw new RegistryError(outcome.code, outcome.message, undefined, { status: outcome.status, headers: outcome.headers });
    const principal: V2Principal = { kind: outcome.actor.kind, name: outcome.actor.name ?? 'anonymous' };
    this.granted.set(principal, outcome.access);
    return principal;
  }

  async canPull(principal: V2Principal, repository: string): Promise<boolean> {
    const needed = [{ type: 'repository', name: repository, actions: ['pull'] }];
    const known = this.granted.get(principal);
    if (known && covers(known, needed)) return true;
    const full = await this.resolve(principal);
    if (!full) return false;
    return covers(await this.auth.grant(full, needed), needed);
  }

  private async resolve(p: V2Principal): Promise<Principal | undefined> {
    if (p.kind === 'anonymous') return { kind: 'anonymous' };
    if (p.kind === 'user') {
      const user = await this.auth.identity.getUser(p.name);
      return user && userPrincipal(user);
    }
    const robot = await this.auth.identity.getRobot(p.name);
    return robot && robotPrincipal(robot);
  }
}
