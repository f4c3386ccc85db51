/** CVSS v3.0 / v3.1 base vectors: parsing and the base score formula of the FIRST specification. */
export interface Cvss3Metrics {
  version: '3.0' | '3.1';
  AV: string;
  AC: string;
  PR: string;
  UI: string;
  S: string;
  C: string;
  I: string;
  A: string;
}

const ALLOWED: Record<string, string[]> = {
  AV: ['N', 'A', 'L', 'P'],
  AC: ['L', 'H'],
  PR: ['N', 'L', 'H'],
  UI: ['N', 'R'],
  S: ['U', 'C'],
  C: ['H', 'L', 'N'],
  I: ['H', 'L', 'N'],
  A: ['H', 'L', 'N'],
};
// temporal and environmental metrics are accepted (and ignored for the base score)
const OPTIONAL = new Set(['E', 'RL', 'RC', 'CR', 'IR', 'AR', 'MAV', 'MAC', 'MPR', 'MUI', 'MS', 'MC', 'MI', 'MA']);

export function parseCvss3(vector: string): Cvss3Metrics {
  const parts = vector.trim().split('/');
  const head = parts.shift();
  const m = /^CVSS:(3\.[01])$/.exec(head ?? '');
  if (!m) throw new Error(`not a CVSS v3 vector: ${vector}`);
  const values: Record<string, string> = {};
  for (const part of parts) {
    const [k, v, extra] = part.split(':');
    if (!k || !v || extra !== undefined) throw new Error(`malformed CVSS v3 metric "${part}" in ${vector}`);
    if (k in values) throw new Error(`duplicate CVSS v3 metric ${k} in ${vector}`);
    if (ALLOWED[k] ? !ALLOWED[k].includes(v) : !OPTIONAL.has(k)) throw new Error(`invalid CVSS v3 metric ${k}:${v} in ${vector}`);
    values[k] = v;
  }
  for (const k of Object.keys(ALLOWED)) if (!(k in values)) throw new Error(`CVSS v3 vector lacks ${k}: ${vector}`);
  return { version: m[1] as '3.0' | '3.1', ...(values as Omit<Cvss3Metrics, 'version'>) };
}

/** The specification's Roundup (v3.1 Appendix A), free of floating-point surprises. */
function roundUp(x: number): number {
  const i = Math.round(x * 100000);
  return i % 10000 === 0 ? i / 100000 : (Math.floor(i / 10000) + 1) / 10;
}

export function scoreCvss3(m: Cvss3Metrics): number {
  const av = { N: 0.85, A: 0.62, L: 0.55, P: 0.2 }[m.AV]!;
  const ac = { L: 0.77, H: 0.44 }[m.AC]!;
  const changed = m.S === 'C';
  const pr = { N: 0.85, L: changed ? 0.68 : 0.62, H: changed ? 0.5 : 0.27 }[m.PR]!;
  const ui = { N: 0.85, R: 0.62 }[m.UI]!;
  const cia = (v: string): number => ({ H: 0.56, L: 0.22, N: 0 })[v]!;
  const iss = 1 - (1 - cia(m.C)) * (1 - cia(m.I)) * (1 - cia(m.A));
  const impact = changed ? 7.52 * (iss - 0.029) - 3.25 * Math.pow(iss - 0.02, 15) : 6.42 * iss;
  const exploitability = 8.22 * av * ac * pr * ui;
  if (impact <= 0) return 0;
  return changed ? roundUp(Math.min(1.08 * (impact + exploitability), 10)) : roundUp(Math.min(impact + exploitability, 10));
}
