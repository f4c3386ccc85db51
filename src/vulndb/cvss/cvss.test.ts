import { describe, expect, it } from 'vitest';
import { cvssFromVector, cvssVersion, macroVector, parseCvss3, parseCvss4, scoreCvss3, scoreCvss4, severityFromCvss } from './index.js';

describe('CVSS v3.1', () => {
  // FIRST CVSS v3.1 examples document and the NVD calculator
  const cases: [string, number][] = [
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N', 6.1], // CVE-2013-1937 phpMyAdmin XSS
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N', 7.5], // CVE-2014-0160 Heartbleed
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 9.8], // CVE-2014-6271 Shellshock
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H', 10],
    ['CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H', 7.8],
    ['CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N', 5.9],
    ['CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N', 6.4],
    ['CVSS:3.0/AV:P/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N', 1.6],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N', 0],
  ];
  for (const [vector, score] of cases) it(`${vector} scores ${score}`, () => expect(scoreCvss3(parseCvss3(vector))).toBe(score));
  it('rejects malformed vectors', () => {
    expect(() => parseCvss3('CVSS:3.1/AV:N/AC:L')).toThrow(/lacks/);
    expect(() => parseCvss3('CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H')).toThrow(/invalid/);
    expect(() => parseCvss3('CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H')).toThrow(/duplicate/);
  });
});

describe('CVSS v4.0', () => {
  const cases: [string, number][] = [
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 9.3],
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H', 10],
    ['CVSS:4.0/AV:L/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 8.5], // CVE-2022-41741 (FIRST examples)
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N', 0],
    // scores of the FIRST reference calculator (RedHatProductSecurity/cvss-v4-calculator)
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:L/VA:L/SC:N/SI:N/SA:N', 6.9],
    ['CVSS:4.0/AV:L/AC:L/AT:P/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 7.3],
    ['CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:P/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 7.7],
    ['CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:P/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U', 5.2],
    ['CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:H/VI:L/VA:L/SC:N/SI:N/SA:N', 8.3],
    ['CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:H/VI:L/VA:L/SC:N/SI:N/SA:N/CR:H/IR:L/AR:L/MAV:N/MAC:H/MVC:H/MVI:L/MVA:L', 8.1],
    ['CVSS:4.0/AV:L/AC:L/AT:N/PR:N/UI:A/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N', 4.6],
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:H/SI:H/SA:H', 7.9],
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/E:U', 9.1],
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/MVI:L/MSA:S', 9.8],
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:N/VI:L/VA:N/SC:N/SI:N/SA:N', 5.3],
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:L/VI:L/VA:L/SC:N/SI:N/SA:N/E:X', 5.3],
  ];
  for (const [vector, score] of cases) it(`${vector} scores ${score}`, () => expect(scoreCvss4(parseCvss4(vector))).toBe(score));
  it('computes macrovectors with environmental overrides', () => {
    expect(macroVector(parseCvss4('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N'))).toEqual([0, 0, 0, 2, 0, 0]);
    expect(macroVector(parseCvss4('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/MAV:P/E:U/MSI:S'))).toEqual([2, 0, 0, 0, 2, 0]);
  });
  it('is monotone: a worse exploit maturity never raises the score', () => {
    const base = 'CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:H/VI:L/VA:N/SC:N/SI:N/SA:N';
    const a = scoreCvss4(parseCvss4(`${base}/E:A`));
    const u = scoreCvss4(parseCvss4(`${base}/E:U`));
    expect(u).toBeLessThan(a);
  });
  it('rejects malformed vectors', () => {
    expect(() => parseCvss4('CVSS:4.0/AV:N')).toThrow(/lacks/);
    expect(() => parseCvss4('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:Q')).toThrow(/invalid/);
  });
});

describe('CVSS helpers', () => {
  it('recognises versions and derives severity from the newest scored vector', () => {
    expect(cvssVersion('AV:N/AC:L/Au:N/C:P/I:P/A:P')).toBe('2.0');
    const entries = [
      cvssFromVector('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 'nvd'),
      cvssFromVector('CVSS:4.0/AV:L/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 'nvd'),
    ];
    expect(entries[0]!.score).toBe(9.8);
    expect(severityFromCvss(entries)).toBe('HIGH');
    expect(cvssFromVector('garbage', 'x').score).toBeUndefined();
  });
});
