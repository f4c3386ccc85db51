/** One version ordering (a "scheme"): how a feed's versions for an ecosystem sort. */
export interface VersionScheme {
  readonly name: string;
  /** True when the string is a version this scheme can order. */
  valid(version: string): boolean;
  /** Sign of the order of a and b (-1, 0, 1). Throws InvalidVersionError for invalid input. */
  compare(a: string, b: string): number;
}

export class InvalidVersionError extends Error {
  constructor(
    readonly scheme: string,
    readonly version: string,
  ) {
    super(`invalid ${scheme} version: ${JSON.stringify(version)}`);
    this.name = 'InvalidVersionError';
  }
}

export function sign(n: number): number {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

/** Numeric comparison of two decimal digit strings of any length. */
export function compareDigits(a: string, b: string): number {
  const x = a.replace(/^0+/, '');
  const y = b.replace(/^0+/, '');
  if (x.length !== y.length) return x.length < y.length ? -1 : 1;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Byte-wise string order (C strcmp / memcmp semantics for ASCII). */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
