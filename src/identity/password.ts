import { hash, verify } from '@node-rs/argon2';
import type { Algorithm } from '@node-rs/argon2';
import { randomBytes } from 'node:crypto';

/** argon2id cost parameters (OWASP's recommended minimum by default). */
export interface PasswordHashParams {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

export const DEFAULT_HASH_PARAMS: PasswordHashParams = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };

// `Algorithm` is a const enum in the addon's typings, which isolatedModules cannot inline.
const ARGON2ID = 2 as Algorithm;

export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 1024;

export class PasswordHasher {
  private dummy: Promise<string> | undefined;

  constructor(private readonly params: PasswordHashParams = DEFAULT_HASH_PARAMS) {}

  hash(password: string): Promise<string> {
    return hash(password, { ...this.params, algorithm: ARGON2ID });
  }

  /** argon2's verify compares the derived keys in constant time. */
  async verify(encoded: string, password: string): Promise<boolean> {
    try {
      return await verify(encoded, password);
    } catch {
      return false;
    }
  }

  /**
   * Spends the same work as a real verification, so that an unknown account name
   * cannot be told apart from a wrong password by timing.
   */
  async verifyNothing(password: string): Promise<false> {
    this.dummy ??= this.hash(randomBytes(24).toString('base64url'));
    await this.verify(await this.dummy, password);
    return false;
  }
}

/** A random secret for generated passwords and robot secrets (URL-safe, ~192 bits). */
export function randomSecret(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}

export function checkPasswordPolicy(password: string): string | undefined {
  if (password.length < MIN_PASSWORD_LENGTH) return `password must be at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.length > MAX_PASSWORD_LENGTH) return `password must be at most ${MAX_PASSWORD_LENGTH} characters`;
  return undefined;
}
