import type { FastifyRequest } from 'fastify';

export type Action = 'pull' | 'push' | 'delete';

export type AccessRequest =
  | { type: 'base' }
  | { type: 'catalog' }
  | { type: 'repository'; repository: string; actions: Action[] };

export interface Principal {
  kind: 'user' | 'robot' | 'anonymous';
  name: string;
}

/**
 * Authentication and authorisation of /v2 requests. Implementations throw a RegistryError
 * (UNAUTHORIZED with a WWW-Authenticate challenge, or DENIED) when the request may not proceed.
 */
export interface AccessControl {
  authorize(request: FastifyRequest, access: AccessRequest): Promise<Principal>;
  /** Whether the principal may read the repository (catalog filtering, mount sources). */
  canPull(principal: Principal, repository: string): Promise<boolean>;
}

/** No authentication: everything is allowed. Only for loopback development setups and tests. */
export const openAccess: AccessControl = {
  async authorize() {
    return { kind: 'anonymous', name: 'anonymous' };
  },
  async canPull() {
    return true;
  },
};

/** What the /v2 routes report for the audit trail (the recorder adds source address and user agent). */
export interface V2Event {
  action: 'image.push' | 'image.pull' | 'image.delete' | 'tag.delete' | 'blob.delete' | 'access.denied';
  repository: string;
  digest?: string;
  tag?: string;
  outcome: 'success' | 'denied';
  reasons?: string[];
}

export type V2EventRecorder = (request: FastifyRequest, principal: Principal | null, event: V2Event) => Promise<void>;
