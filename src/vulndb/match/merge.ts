import type { VulnFinding } from '../types.js';

/** Which of several ids for one vulnerability leads: the distribution's record, then GHSA, then the rest by id. */
function rank(f: VulnFinding): [number, string] {
  if (f.dataSource.origin !== 'osv') return [0, f.advisoryId];
  if (f.advisoryId.startsWith('GHSA-')) return [1, f.advisoryId];
  return [2, f.advisoryId];
}

function better(a: VulnFinding, b: VulnFinding): boolean {
  const [ra, ia] = rank(a);
  const [rb, ib] = rank(b);
  return ra !== rb ? ra < rb : ia < ib;
}

/**
 * Findings of ONE package instance that share an id or alias (GHSA-x aliasing CVE-y, PYSEC-z
 * aliasing the same CVE) become one finding; the others' ids become its aliases.
 */
export function mergeAliases(findings: VulnFinding[]): VulnFinding[] {
  if (findings.length < 2) return findings;
  const parent = findings.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]!]!;
    return i;
  };
  const owner = new Map<string, number>();
  findings.forEach((f, i) => {
    for (const id of [f.advisoryId, ...f.aliases]) {
      const j = owner.get(id);
      if (j === undefined) owner.set(id, i);
      else parent[find(i)] = find(j);
    }
  });
  const groups = new Map<number, VulnFinding[]>();
  findings.forEach((f, i) => {
    const root = find(i);
    groups.set(root, [...(groups.get(root) ?? []), f]);
  });
  return [...groups.values()].map((group) => {
    let lead = group[0]!;
    for (const f of group) if (better(f, lead)) lead = f;
    if (group.length === 1) return lead;
    const ids = new Set(group.flatMap((f) => [f.advisoryId, ...f.aliases]));
    ids.delete(lead.advisoryId);
    const cvss = [...lead.cvss];
    for (const f of group) for (const c of f.cvss) if (!cvss.some((x) => x.vector === c.vector)) cvss.push(c);
    const references = [...new Set(group.flatMap((f) => f.references))];
    return { ...lead, aliases: [...ids].sort(), cvss, references };
  });
}
