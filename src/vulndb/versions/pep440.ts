import { compare as pepCompare, valid as pepValid } from '@renovatebot/pep440';
import { InvalidVersionError, type VersionScheme, sign } from './types.js';

/** PEP 440 (Python) order via @renovatebot/pep440 (a port of pypa/packaging). */
export const pep440: VersionScheme = {
  name: 'pep440',
  valid: (v) => pepValid(v) !== null,
  compare(a, b) {
    if (pepValid(a) === null) throw new InvalidVersionError('pep440', a);
    if (pepValid(b) === null) throw new InvalidVersionError('pep440', b);
    return sign(pepCompare(a, b));
  },
};
