import type { SecretRule } from '../types.js';

/** Key material: PEM/OpenSSH/PGP private keys, PuTTY and age keys, JWTs. */
export const KEY_RULES: SecretRule[] = [
  {
    // A header alone (a string constant in a binary or library) is not a key: a body of at least
    // 32 base64 characters and the END line are required. Optional RFC 1421 / OpenPGP headers
    // (Proc-Type, DEK-Info, Version, Comment) cover encrypted PEM and armoured PGP keys.
    id: 'private-key', category: 'AsymmetricPrivateKey', title: 'Asymmetric Private Key', severity: 'HIGH',
    keywords: ['private key'],
    regex:
      '-----BEGIN[ A-Z0-9_-]{0,40}PRIVATE KEY(?: BLOCK)?-----[ \\t]*\\r?\\n' +
      '(?:[A-Za-z][A-Za-z0-9-]*:[^\\n]*\\r?\\n)*\\s*' +
      '(?<secret>[A-Za-z0-9+/=][A-Za-z0-9+/=\\s]{31,}?)\\s*' +
      '-----END[ A-Z0-9_-]{0,40}PRIVATE KEY(?: BLOCK)?-----',
  },
  {
    id: 'putty-private-key', category: 'AsymmetricPrivateKey', title: 'PuTTY private key', severity: 'HIGH',
    keywords: ['putty-user-key-file-'],
    regex: 'PuTTY-User-Key-File-\\d: [^\\n]+\\n[\\s\\S]{0,2000}?Private-Lines: \\d+\\r?\\n(?<secret>[A-Za-z0-9+/=\\r\\n]{32,})',
  },
  {
    id: 'age-secret-key', category: 'Age', title: 'Age secret key', severity: 'MEDIUM',
    keywords: ['age-secret-key-1'], regex: '(?<secret>AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58})',
  },
  {
    id: 'jwt-token', category: 'JWT', title: 'JWT token', severity: 'MEDIUM',
    keywords: ['.eyj'],
    regex: '(?<![A-Za-z0-9_-])(?<secret>eyJ[A-Za-z0-9_-]{15,}\\.eyJ[A-Za-z0-9_-]{15,}\\.[A-Za-z0-9_-]{10,}={0,2})',
  },
];
