/**
 * Env variable and label names that say "credential". Used for config locations, where the name
 * alone makes a non-empty value a finding (CIS-DI-0010 style), whatever the value looks like.
 */

const NOT_A_SECRET = [
  /^(?:OLD)?PWD$/, // the shell's working directory
  /(?:^|_)GPG_KEY$/, /_KEY_?ID$/, /FINGERPRINT/, /KEYRING/, /KEY_?SERVER/, /PUBLIC_?KEY/, /_PUB_?KEY/,
  /_(?:FILE|PATH|DIR|URL|URI|HOST|PORT|USER|USERNAME|NAME|TYPE|ALGORITHM|LENGTH|SIZE|TTL|EXPIRY|ENABLED|REGION)$/,
];

export type EnvSecretKind = 'generic-password' | 'generic-secret' | 'generic-token' | 'generic-api-key' | 'private-key';

export function sensitiveEnvName(name: string): EnvSecretKind | undefined {
  const n = name.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
  if (NOT_A_SECRET.some((re) => re.test(n))) return undefined;
  if (/PASSWORD|PASSWD|PASSPHRASE|(?:^|_)PWD(?:$|_)|(?:^|_)PASS$/.test(n)) return 'generic-password';
  if (/PRIVATE_?KEY/.test(n)) return 'private-key';
  if (/SECRET|CREDENTIAL/.test(n)) return 'generic-secret';
  if (/TOKEN/.test(n)) return 'generic-token';
  if (/API_?KEY|ACCESS_?KEY|AUTH_?KEY|(?:^|_)KEY$/.test(n)) return 'generic-api-key';
  return undefined;
}
