export type IdentityErrorCode = 'NOT_FOUND' | 'CONFLICT' | 'INVALID';

/** A domain error the API maps to 404 / 409 / 400; `field` names the offending input. */
export class IdentityError extends Error {
  constructor(
    readonly code: IdentityErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'IdentityError';
  }
}
