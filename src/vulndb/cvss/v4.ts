import { LEVELS, MACROVECTOR_SCORES, MAX_COMPOSED, MAX_SEVERITY } from './v4-data.js';

/** CVSS v4.0 vectors: parsing and the specification's macrovector-interpolation scoring. */
const ALLOWED: Record<string, string[]> = {
  AV: ['N', 'A', 'L', 'P'],
  AC: ['L', 'H'],
  AT: ['N', 'P'],
  PR: ['N', 'L', 'H'],
  UI: ['N', 'P', 'A'],
  VC: ['H', 'L', 'N'],
  VI: ['H', 'L', 'N'],
  VA: ['H', 'L', 'N'],
  SC: ['H', 'L', 'N'],
  SI: ['H', 'L', 'N'],
  SA: ['H', 'L', 'N'],
  E: ['X', 'A', 'P', 'U'],
  CR: ['X', 'H', 'M', 'L'],
  IR: ['X', 'H', 'M', 'L'],
  AR: ['X', 'H', 'M', 'L'],
  MAV: ['X', 'N', 'A', 'L', 'P'],
  MAC: ['X', 'L', 'H'],
  MAT: ['X', 'N', 'P'],
  MPR: ['X', 'N', 'L', 'H'],
  MUI: ['X', 'N', 'P', 'A'],
  MVC: ['X', 'H', 'L', 'N'],
  MVI: ['X', 'H', 'L', 'N'],
  MVA: ['X', 'H', 'L', 'N'],
  MSC: ['X', 'H', 'L', 'N'],
  MSI: ['X', 'S', 'H', 'L', 'N'],
  MSA: ['X', 'S', 'H', 'L', 'N'],
  S: ['X', 'N', 'P'],
  AU: ['X', 'N', 'Y'],
  R: ['X', 'A', 'U', 'I'],
  V: ['X', 'D', 'C'],
  RE: ['X', 'L', 'M', 'H'],
  U: ['X', 'Clear', 'Green', 'Amber', 'Red'],
};
const BASE = ['AV', 'AC', 'AT', 'PR', 'UI', 'VC', 'VI', 'VA', 'SC', 'SI', 'SA'];

export type Cvss4Metrics = Readonly<Record<string, string>>;

export function parseCvss4(vector: string): Cvss4Metrics {
  const parts = vector.trim().split('/');
  if (parts.shift() !== 'CVSS:4.0') throw new Error(`not a CVSS v4.0 vector: ${vector}`);
  const values: Record<string, string> = {};
  for (const part of parts) {
    const [k, v, extra] = part.split(':');
    if (!k || !v || extra !== undefined) throw new Error(`malformed CVSS v4 metric "${part}" in ${vector}`);
    if (k in values) throw new Error(`duplicate CVSS v4 metric ${k} in ${vector}`);
    if (!ALLOWED[k]?.includes(v)) throw new Error(`invalid CVSS v4 metric ${k}:${v} in ${vector}`);
    values[k] = v;
  }
  for (const k of BASE) if (!(k in values)) throw new Error(`CVSS v4 vector lacks ${k}: ${vector}`);
  return values;
}

/** Effective value of a metric: the modified (environmental) one wins; X means the worst case. */
function effective(m: Cvss4Metrics, metric: string): string {
  const selected = m[metric] ?? 'X';
  if (metric === 'E' && selected === 'X') return 'A';
  if ((metric === 'CR' || metric === 'IR' || metric === 'AR') && selected === 'X') return 'H';
  const modified = m[`M${metric}`];
  if (modified !== undefined && modified !== 'X') return modified;
  return selected;
}

export function macroVector(m: Cvss4Metrics): number[] {
  const v = (k: string): string => effective(m, k);
  const [av, pr, ui] = [v('AV'), v('PR'), v('UI')];
  const eq1 = av === 'N' && pr === 'N' && ui === 'N' ? 0 : (av === 'N' || pr === 'N' || ui === 'N') && av !== 'P' ? 1 : 2;
  const eq2 = v('AC') === 'L' && v('AT') === 'N' ? 0 : 1;
  const [vc, vi, va] = [v('VC'), v('VI'), v('VA')];
  const eq3 = vc === 'H' && vi === 'H' ? 0 : vc === 'H' || vi === 'H' || va === 'H' ? 1 : 2;
  const eq4 = v('SI') === 'S' || v('SA') === 'S' ? 0 : v('SC') === 'H' || v('SI') === 'H' || v('SA') === 'H' ? 1 : 2;
  const eq5 = { A: 0, P: 1, U: 2 }[v('E')] ?? 0;
  const eq6 = (v('CR') === 'H' && vc === 'H') || (v('IR') === 'H' && vi === 'H') || (v('AR') === 'H' && va === 'H') ? 0 : 1;
  return [eq1, eq2, eq3, eq4, eq5, eq6];
}

const lookup = (eqs: number[]): number => MACROVECTOR_SCORES[eqs.join('')] ?? NaN;

function metricOf(fragment: string, metric: string): string {
  const m = new RegExp(`(?:^|/)${metric}:([A-Z]+)/`).exec(fragment);
  return m?.[1] ?? '';
}

export function scoreCvss4(m: Cvss4Metrics): number {
  if (['VC', 'VI', 'VA', 'SC', 'SI', 'SA'].every((k) => effective(m, k) === 'N')) return 0;
  const mv = macroVector(m);
  const [eq1, eq2, eq3, eq4, eq5, eq6] = mv as [number, number, number, number, number, number];
  let value = lookup(mv);

  const lower = (i: number): number => lookup(mv.map((x, j) => (j === i ? x + 1 : x)));
  let lowerEq3Eq6: number;
  if (eq3 === 0 && eq6 === 0) {
    const left = lookup([eq1, eq2, eq3, eq4, eq5, eq6 + 1]);
    const right = lookup([eq1, eq2, eq3 + 1, eq4, eq5, eq6]);
    lowerEq3Eq6 = left > right ? left : right;
  } else if (eq3 === 1 && eq6 === 0) {
    lowerEq3Eq6 = lookup([eq1, eq2, eq3, eq4, eq5, eq6 + 1]);
  } else {
    lowerEq3Eq6 = lookup([eq1, eq2, eq3 + 1, eq4, eq5, eq6]);
  }

  // the first highest-severity vector of this macrovector that the vector does not exceed
  const eq3eq6Maxes = MAX_COMPOSED.eq3[eq3]?.[eq6] ?? [];
  const distanceMetrics = ['AV', 'PR', 'UI', 'AC', 'AT', 'VC', 'VI', 'VA', 'SC', 'SI', 'SA', 'CR', 'IR', 'AR'];
  const level = (metric: string, val: string): number => LEVELS[metric]?.[val] ?? 0;
  let dist: Record<string, number> | undefined;
  outer: for (const a of MAX_COMPOSED.eq1[eq1] ?? [])
    for (const b of MAX_COMPOSED.eq2[eq2] ?? [])
      for (const c of eq3eq6Maxes)
        for (const d of MAX_COMPOSED.eq4[eq4] ?? [])
          for (const e of MAX_COMPOSED.eq5[eq5] ?? []) {
            const max = a + b + c + d + e;
            const candidate: Record<string, number> = {};
            for (const k of distanceMetrics) candidate[k] = level(k, effective(m, k)) - level(k, metricOf(max, k));
            if (Object.values(candidate).every((x) => x >= 0)) {
              dist = candidate;
              break outer;
            }
          }
  const d = (k: string): number => dist?.[k] ?? 0;
  const current = [
    d('AV') + d('PR') + d('UI'),
    d('AC') + d('AT'),
    d('VC') + d('VI') + d('VA') + d('CR') + d('IR') + d('AR'),
    d('SC') + d('SI') + d('SA'),
  ];
  const step = 0.1;
  const maxSeverity = [
    MAX_SEVERITY.eq1[eq1]! * step,
    MAX_SEVERITY.eq2[eq2]! * step,
    (MAX_SEVERITY.eq3eq6[eq3]?.[eq6] ?? 0) * step,
    MAX_SEVERITY.eq4[eq4]! * step,
  ];
  const lowers = [lower(0), lower(1), lowerEq3Eq6, lower(3)];
  let n = 0;
  let sum = 0;
  for (let i = 0; i < 4; i++) {
    const available = value - lowers[i]!;
    if (!Number.isNaN(available)) {
      n++;
      sum += available * (current[i]! / maxSeverity[i]!);
    }
  }
  // EQ5 (exploit maturity) has no intra-level distance, but an existing lower level still counts
  if (!Number.isNaN(value - lower(4))) n++;
  value -= n === 0 ? 0 : sum / n;
  value = Math.min(10, Math.max(0, value));
  return Math.round((value + 1e-6) * 10) / 10;
}
