import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, PolicyError, policyFromConfig } from './index.js';

describe('policyFromConfig', () => {
  it('takes the configured default, or DEFAULT_POLICY when there is none', () => {
    expect(policyFromConfig(undefined)).toBe(DEFAULT_POLICY);
    expect(policyFromConfig({ version: 1, mode: 'warn' })).toMatchObject({ mode: 'warn', push: {}, pull: {} });
  });

  it('names the config field of every problem', () => {
    try {
      policyFromConfig({ version: 1, push: { maxAgeDays: -1 } });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(PolicyError);
      expect((err as PolicyError).issues.map((i) => i.path)).toEqual(['policy.default.push.maxAgeDays']);
      expect((err as PolicyError).message).toMatch(/^invalid policy.default in the server configuration:\n {2}policy.default.push.maxAgeDays: /);
    }
    expect(() => policyFromConfig('nonsense')).toThrow(/policy.default: /);
  });
});
