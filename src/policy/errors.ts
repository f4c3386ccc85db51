/** Errors of the policy and trusted-key stores, with a code the API maps to a status. */
export type PolicyStoreErrorCode = 'NOT_FOUND' | 'CONFLICT' | 'INVALID';

export class PolicyStoreError extends Error {
  constructor(
    readonly code: PolicyStoreErrorCode,
    message: string,
    /** The request field the problem is about, when there is one. */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'PolicyStoreError';
  }
}
