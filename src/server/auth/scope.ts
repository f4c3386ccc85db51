/** Docker token-auth scopes: `repository:name:pull,push`, `registry:catalog:*`. */

export interface Scope {
  type: string;
  name: string;
  actions: string[];
}

/** The `access` claim entry of a registry token (same shape as a scope). */
export type AccessEntry = Scope;

const TYPE = /^[a-z0-9]+(?:\([a-z0-9]+\))?$/;
const ACTION = /^(?:[a-z]+|\*)$/;

/**
 * Parses one scope. The name may itself hold `:` (a registry host with a port), so the type is
 * up to the first colon and the actions after the last one. Unparseable scopes give undefined.
 */
export function parseScope(text: string): Scope | undefined {
  const first = text.indexOf(':');
  const last = text.lastIndexOf(':');
  if (first <= 0 || last === first) return undefined;
  const rawType = text.slice(0, first);
  const name = text.slice(first + 1, last);
  const actions = text.slice(last + 1).split(',').filter((a) => a !== '');
  if (!TYPE.test(rawType) || name === '' || name.length > 512) return undefined;
  if (!actions.every((a) => ACTION.test(a))) return undefined;
  // `repository(plugin)` is the same resource type as `repository`.
  const type = rawType.replace(/\(.*\)$/, '');
  return { type, name, actions: [...new Set(actions)] };
}

/** All scopes from `scope` query values (repeated, and/or space-separated in one value). */
export function parseScopes(values: string | string[] | undefined): { scopes: Scope[]; invalid: string[] } {
  const list = values === undefined ? [] : Array.isArray(values) ? values : [values];
  const scopes: Scope[] = [];
  const invalid: string[] = [];
  for (const value of list) {
    for (const part of value.split(' ')) {
      if (part === '') continue;
      const s = parseScope(part);
      if (s) scopes.push(s);
      else invalid.push(part);
    }
  }
  return { scopes: mergeScopes(scopes), invalid };
}

/** Merges scopes for the same resource, so each resource appears once. */
export function mergeScopes(scopes: readonly Scope[]): Scope[] {
  const out: Scope[] = [];
  for (const s of scopes) {
    const same = out.find((o) => o.type === s.type && o.name === s.name);
    if (same) same.actions = [...new Set([...same.actions, ...s.actions])];
    else out.push({ type: s.type, name: s.name, actions: [...s.actions] });
  }
  return out;
}

export function formatScope(s: Scope): string {
  return `${s.type}:${s.name}:${s.actions.join(',')}`;
}

/** True when the access list grants every action of every needed scope. */
export function covers(access: readonly AccessEntry[], needed: readonly Scope[]): boolean {
  return needed.every((n) => {
    const entry = access.find((a) => a.type === n.type && a.name === n.name);
    return entry !== undefined && n.actions.every((action) => entry.actions.includes(action) || entry.actions.includes('*'));
  });
}
