/**
 * The signature facts of the pull gate's `requireSignature` rule, from what src/signing's
 * verification found: the names of the trusted keys whose signature verified, else why none did.
 */
import type { Finding } from '../signing/remote-verify.js';
import type { PolicySignature } from './input.js';

export function signatureFacts(findings: readonly Finding[], keys: readonly { name: string; id: string }[]): PolicySignature {
  const nameOf = new Map(keys.map((k) => [k.id, k.name]));
  const verified = new Set<string>();
  for (const f of findings) {
    const name = f.ok && f.keyId !== undefined ? nameOf.get(f.keyId) : undefined;
    if (name !== undefined) verified.add(name);
  }
  if (verified.size > 0) return { verifiedKeys: [...verified].sort(), problems: [] };
  if (keys.length === 0) return { verifiedKeys: [], problems: ['the project trusts no keys'] };
  if (findings.length === 0) return { verifiedKeys: [], problems: ['no signature'] };
  return { verifiedKeys: [], problems: findings.map((f) => `${f.source}: ${f.message ?? f.reason ?? 'does not verify with a trusted key'}`) };
}
