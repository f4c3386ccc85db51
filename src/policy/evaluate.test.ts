import { describe, expect, it } from 'vitest';
import { denialMessage, evaluate, globMatch } from './evaluate.js';
import type { EvaluationInput } from './input.js';
import { PolicyError, parsePolicy, validatePolicy } from './parse.js';

const NOW = new Date('2026-11-22T00:00:00Z');

function input(over: Partial<EvaluationInput> = {}): EvaluationInput {
  return { scanned: true, vulnerabilities: [], secrets: [], misconfigurations: [], baseImages: [], ...over };
}

const lodash = (id: string, severity: string, aliases: string[] = []) => ({
  id,
  aliases,
  severity,
  status: 'fixed',
  fixedVersion: '4.17.21',
  packageName: 'lodash',
  packageVersion: '4.17.15',
});

describe('policy documents', () => {
  it('parses YAML with defaults', () => {
    const p = parsePolicy('version: 1\npush:\n  vulnerabilities:\n    severity: HIGH\n');
    expect(p.mode).toBe('enforce');
    expect(p.push.vulnerabilities).toEqual({ severity: 'HIGH', onlyFixed: false, allow: [] });
    expect(p.pull).toEqual({});
  });
  it('reports field-level problems', () => {
    try {
      validatePolicy({ version: 2, mode: 'maybe', push: { vulnerabilities: { severity: 'SEVERE', allow: [{ id: 'CVE-1', expires: '2026-13-45' }] }, typo: 1 } });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(PolicyError);
      const paths = (err as PolicyError).issues.map((i) => i.path);
      expect(paths).toEqual(expect.arrayContaining(['version', 'mode', 'push.vulnerabilities.severity', 'push.vulnerabilities.allow.0.expires', 'push.vulnerabilities.allow.0.justification', 'push']));
    }
  });
});

describe('evaluate', () => {
  it('denies vulnerabilities at or above the threshold, worst first, and names them', () => {
    const policy = validatePolicy({ version: 1, push: { vulnerabilities: { severity: 'HIGH' } } });
    const d = evaluate(policy, 'push', input({ vulnerabilities: [lodash('GHSA-1', 'MEDIUM'), lodash('GHSA-2', 'HIGH'), lodash('GHSA-3', 'CRITICAL')] }), NOW);
    expect(d.allowed).toBe(false);
    expect(d.violations[0]!.summary).toBe('2 vulnerabilities at or above HIGH');
    expect(d.violations[0]!.items[0]).toMatch(/^GHSA-3 \[CRITICAL\] lodash 4.17.15/);
    expect(denialMessage(d, { project: 'team', reportUrl: 'http://r/report' })).toMatch(/^push refused by the policy of project team: \[CRITICAL\] 2 vulnerabilities.*GHSA-3.*GHSA-2.*Report: http:\/\/r\/report$/);
  });

  it('honours allow-list entries by id or alias until they expire', () => {
    const policy = validatePolicy({
      version: 1,
      push: {
        vulnerabilities: {
          severity: 'HIGH',
          allow: [
            { id: 'CVE-2020-8203', justification: 'not reachable' },
            { id: 'GHSA-old', expires: '2026-01-01', justification: 'was temporary' },
          ],
        },
      },
    });
    const allowed = evaluate(policy, 'push', input({ vulnerabilities: [lodash('GHSA-p6mc', 'HIGH', ['CVE-2020-8203'])] }), NOW);
    expect(allowed.allowed).toBe(true);
    expect(allowed.violations.map((v) => v.rule)).toEqual(['allow-list']);
    const expired = evaluate(policy, 'push', input({ vulnerabilities: [lodash('GHSA-old', 'HIGH')] }), NOW);
    expect(expired.allowed).toBe(false);
  });

  it('counts only fixable findings with onlyFixed and warns about the rest', () => {
    const policy = validatePolicy({ version: 1, push: { vulnerabilities: { severity: 'HIGH', onlyFixed: true } } });
    const d = evaluate(policy, 'push', input({ vulnerabilities: [{ ...lodash('CVE-1', 'CRITICAL'), status: 'affected', fixedVersion: undefined }] }), NOW);
    expect(d.allowed).toBe(true);
    expect(d.violations[0]!.action).toBe('warn');
  });

  it('denies secrets, misconfigurations and base images; warn mode records without refusing', () => {
    const doc = {
      version: 1,
      push: { secrets: { ignore: ['jwt-token'] }, misconfigurations: { deny: ['PCS-IMG-001'], warn: ['PCS-*'] }, baseImages: { allow: ['docker.io/library/debian:*'] } },
    };
    const facts = input({
      secrets: [
        { ruleId: 'aws-access-key-id', severity: 'CRITICAL', title: 'AWS', where: 'Env AWS_ACCESS_KEY_ID' },
        { ruleId: 'jwt-token', severity: 'MEDIUM', title: 'JWT', where: '/app/x' },
      ],
      misconfigurations: [
        { id: 'PCS-IMG-001', severity: 'HIGH', title: 'runs as root' },
        { id: 'PCS-IMG-002', severity: 'LOW', title: 'no healthcheck' },
      ],
      baseImages: ['docker.io/library/alpine:3'],
    });
    const d = evaluate(validatePolicy(doc), 'push', facts, NOW);
    expect(d.allowed).toBe(false);
    expect(d.violations.map((v) => `${v.action}:${v.rule}`)).toEqual(['deny:secret', 'deny:misconfiguration', 'deny:base-image', 'warn:misconfiguration']);
    expect(d.violations[0]!.items).toEqual(['aws-access-key-id: Env AWS_ACCESS_KEY_ID']);
    const w = evaluate(validatePolicy({ ...doc, mode: 'warn' }), 'push', facts, NOW);
    expect(w.allowed).toBe(true);
    expect(w.violations).toHaveLength(4);
  });

  it('checks age, end of life, scanning and signatures', () => {
    const policy = validatePolicy({ version: 1, pull: { maxAgeDays: 30, endOfLife: 'deny', requireScan: true, requireSignature: { keys: ['release'] } } });
    const d = evaluate(policy, 'pull', input({ scanned: false, created: '2026-01-01T00:00:00Z', os: { name: 'debian', release: '10', eol: '2024-06-30' }, signature: { verifiedKeys: ['other'], problems: [] } }), NOW);
    expect(d.violations.map((v) => v.rule).sort()).toEqual(['end-of-life', 'max-age', 'not-scanned', 'signature']);
    const ok = evaluate(policy, 'pull', input({ created: '2026-11-20T00:00:00Z', os: { name: 'debian', release: '12', eol: '2028-06-30' }, signature: { verifiedKeys: ['release'], problems: [] } }), NOW);
    expect(ok.allowed).toBe(true);
    expect(ok.violations).toEqual([]);
    expect(evaluate(policy, 'push', input({ scanned: false }), NOW).allowed).toBe(true);
  });

  it('matches globs literally except for *', () => {
    expect(globMatch('docker.io/library/debian:*', 'docker.io/library/debian:12')).toBe(true);
    expect(globMatch('docker.io/library/debian:*', 'docker.io/library/debianX12')).toBe(false);
    expect(globMatch('a.b', 'aXb')).toBe(false);
  });
});
