/** Registry access tokens (short-lived ES256 JWTs) and refresh / identity tokens for `docker login`. */
import { randomUUID } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';
import type { AccessEntry } from './scope.js';
import type { ServerKey } from './keys.js';

export type ActorKind = 'user' | 'robot' | 'anonymous';

/** Who a token was issued to (enough for authorisation decisions already made and for audit). */
export interface TokenActor {
  kind: ActorKind;
  id: string | null;
  name: string | null;
}

export interface TokenServiceOptions {
  key: ServerKey;
  /** `iss` of every token. */
  issuer: string;
  /** `aud` of access tokens: the registry service name clients pass as `service`. */
  service: string;
  /** Access token lifetime (default 300 s). */
  accessTtlSeconds?: number;
  /** Refresh token lifetime (default 30 days). */
  refreshTtlSeconds?: number;
}

export interface IssuedToken {
  token: string;
  expiresIn: number;
  issuedAt: Date;
}

const ACCESS_TYP = 'access';
/** Several serve processes issue and check each other's tokens; their clocks may differ a little. */
const CLOCK_TOLERANCE_SECONDS = 30;
const REFRESH_TYP = 'refresh';
/** Refresh tokens are for the token endpoint itself, never for the registry. */
const REFRESH_AUDIENCE_SUFFIX = '#refresh';

function isAccessList(value: unknown): value is AccessEntry[] {
  return (
    Array.isArray(value) &&
    value.every(
      (e: unknown) =>
        typeof e === 'object' &&
        e !== null &&
        typeof (e as AccessEntry).type === 'string' &&
        typeof (e as AccessEntry).name === 'string' &&
        Array.isArray((e as AccessEntry).actions) &&
        (e as AccessEntry).actions.every((a) => typeof a === 'string'),
    )
  );
}

export class TokenService {
  readonly accessTtl: number;
  readonly refreshTtl: number;

  constructor(private readonly options: TokenServiceOptions) {
    this.accessTtl = options.accessTtlSeconds ?? 300;
    this.refreshTtl = options.refreshTtlSeconds ?? 30 * 24 * 3600;
  }

  get service(): string {
    return this.options.service;
  }

  async issueAccessToken(actor: TokenActor, access: AccessEntry[], now = new Date()): Promise<IssuedToken> {
    const iat = Math.floor(now.getTime() / 1000);
    const token = await new SignJWT({ access, typ: ACCESS_TYP, kind: actor.kind, uid: actor.id })
      .setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid: this.options.key.keyId })
      .setIssuer(this.options.issuer)
      .setSubject(actor.name ?? '')
      .setAudience(this.options.service)
      .setIssuedAt(iat)
      .setNotBefore(iat)
      .setExpirationTime(iat + this.accessTtl)
      .setJti(randomUUID())
      .sign(this.options.key.privateKey);
    return { token, expiresIn: this.accessTtl, issuedAt: new Date(iat * 1000) };
  }

  /** Verifies signature, issuer, audience and lifetime; throws on anything wrong. */
  async verifyAccessToken(token: string, now = new Date()): Promise<{ actor: TokenActor; access: AccessEntry[]; jti: string }> {
    const { payload } = await jwtVerify(token, this.options.key.publicKey, {
      algorithms: ['ES256'],
      issuer: this.options.issuer,
      audience: this.options.service,
      currentDate: now,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      requiredClaims: ['exp', 'nbf', 'iat', 'jti', 'sub'],
    });
    if (payload.typ !== ACCESS_TYP) throw new Error('not an access token');
    if (!isAccessList(payload.access)) throw new Error('malformed access claim');
    return { actor: this.actorOf(payload), access: payload.access, jti: payload.jti ?? '' };
  }

  /** `cv` ties the token to the user's credential version: a password change revokes it. */
  async issueRefreshToken(actor: TokenActor, credentialVersion: number, now = new Date()): Promise<string> {
    const iat = Math.floor(now.getTime() / 1000);
    return new SignJWT({ typ: REFRESH_TYP, kind: actor.kind, uid: actor.id, cv: credentialVersion })
      .setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid: this.options.key.keyId })
      .setIssuer(this.options.issuer)
      .setSubject(actor.name ?? '')
      .setAudience(this.options.service + REFRESH_AUDIENCE_SUFFIX)
      .setIssuedAt(iat)
      .setExpirationTime(iat + this.refreshTtl)
      .setJti(randomUUID())
      .sign(this.options.key.privateKey);
  }

  async verifyRefreshToken(token: string, now = new Date()): Promise<{ actor: TokenActor; credentialVersion: number }> {
    const { payload } = await jwtVerify(token, this.options.key.publicKey, {
      algorithms: ['ES256'],
      issuer: this.options.issuer,
      audience: this.options.service + REFRESH_AUDIENCE_SUFFIX,
      currentDate: now,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      requiredClaims: ['exp', 'sub'],
    });
    if (payload.typ !== REFRESH_TYP || typeof payload.cv !== 'number') throw new Error('not a refresh token');
    const actor = this.actorOf(payload);
    if (actor.kind === 'anonymous' || actor.id === null) throw new Error('refresh token without an account');
    return { actor, credentialVersion: payload.cv };
  }

  private actorOf(payload: Record<string, unknown>): TokenActor {
    const kind = payload.kind === 'user' || payload.kind === 'robot' ? payload.kind : 'anonymous';
    const sub = typeof payload.sub === 'string' && payload.sub !== '' ? payload.sub : null;
    return { kind, id: typeof payload.uid === 'string' ? payload.uid : null, name: kind === 'anonymous' ? null : sub };
  }
}
