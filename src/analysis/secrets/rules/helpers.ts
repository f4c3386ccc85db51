import type { SecretRule } from '../types.js';

/** Not preceded by a letter or digit: the token starts a word (lookbehind, JS supports it). */
export const START = '(?<![A-Za-z0-9])';
/** Not followed by a letter or digit. */
export const END = '(?![A-Za-z0-9])';

/**
 * A secret assigned to a name that contains `name` (`stripe_key = "..."`, `"asanaSecret": "..."`),
 * the shape gitleaks and Trivy use for services whose tokens have no recognisable prefix.
 * Case-insensitive; the value must be quoted so prose does not match.
 */
export function assigned(name: string, secret: string): Pick<SecretRule, 'regex' | 'flags' | 'keywords'> {
  return {
    regex: `${name}[a-z0-9_ .\\-,]{0,25}(?:=|>|:=|\\|\\|:|<=|=>|:).{0,5}['"](?<secret>${secret})['"]`,
    flags: 'i',
    keywords: [name.toLowerCase()],
  };
}

export function prefixed(prefix: string, body: string, flags?: string): Pick<SecretRule, 'regex' | 'flags' | 'keywords'> {
  const escaped = prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return {
    regex: `${START}(?<secret>${escaped}${body})${END}`,
    ...(flags ? { flags } : {}),
    keywords: [prefix.toLowerCase()],
  };
}
