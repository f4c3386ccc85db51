import { describe, expect, it } from 'vitest';
import type { Finding } from '../signing/remote-verify.js';
import { evaluate } from './evaluate.js';
import { signatureFacts } from './from-signatures.js';
import { validatePolicy } from './parse.js';

const keys = [{ name: 'release', id: 'aa' }, { name: 'ci', id: 'bb' }];
const ok = (keyId: string): Finding => ({ source: 'tag sha256-x.sig', ok: true, keyId });
const bad: Finding = { source: 'tag sha256-x.sig', ok: false, reason: 'signature-invalid', message: 'signature does not verify with any trusted key' };

describe('signatureFacts', () => {
  it('names the trusted keys whose signatures verified', () => {
    expect(signatureFacts([ok('bb'), bad, ok('aa'), ok('bb')], keys)).toEqual({ verifiedKeys: ['ci', 'release'], problems: [] });
  });

  it('says why nothing verified', () => {
    expect(signatureFacts([], keys)).toEqual({ verifiedKeys: [], problems: ['no signature'] });
    expect(signatureFacts([bad], keys).problems).toEqual(['tag sha256-x.sig: signature does not verify with any trusted key']);
    expect(signatureFacts([ok('aa')], [])).toEqual({ verifiedKeys: [], problems: ['the project trusts no keys'] });
    // A key that verified but is not (or no longer) trusted by the project does not count.
    expect(signatureFacts([ok('zz')], keys).verifiedKeys).toEqual([]);
  });

  it('drives the pull gate, honouring the key names a policy requires', () => {
    const policy = validatePolicy({ version: 1, pull: { requireSignature: { keys: ['release'] } } });
    const base = { scanned: true, vulnerabilities: [], secrets: [], misconfigurations: [], baseImages: [] };
    expect(evaluate(policy, 'pull', { ...base, signature: signatureFacts([ok('aa')], keys) }).allowed).toBe(true);
    const onlyCi = evaluate(policy, 'pull', { ...base, signature: signatureFacts([ok('bb')], keys) });
    expect(onlyCi.allowed).toBe(false);
    expect(onlyCi.violations[0]).toMatchObject({ rule: 'signature', summary: 'no signature verifies with a trusted key' });
  });
});
