/** Repository/tag patterns of lifecycle rules: literal text where `*` matches any run of characters (also `/`). */
import { RegistryError } from './errors.js';

const PATTERN = /^[A-Za-z0-9._/*-]{1,255}$/;

export function validatePattern(pattern: string, what: string): string {
  if (!PATTERN.test(pattern)) {
    throw new RegistryError('UNSUPPORTED', `invalid ${what} pattern ${JSON.stringify(pattern)}: use letters, digits, . _ - / and *`, undefined, { status: 400 });
  }
  return pattern;
}

const compiled = new Map<string, RegExp>();

export function matchesPattern(pattern: string, value: string): boolean {
  let re = compiled.get(pattern);
  if (!re) {
    const body = pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\/-]/g, '\\$&')).join('.*');
    re = new RegExp(`^${body}$`, 's');
    if (compiled.size > 1000) compiled.clear();
    compiled.set(pattern, re);
  }
  return re.test(value);
}
