/** A deb822 stanza: field names lower-cased (dpkg treats them case-insensitively). */
export interface Stanza {
  fields: Record<string, string>;
  /** 1-based line of the stanza's first field, for warnings. */
  line: number;
}

/**
 * Parses deb822 control data (dpkg status, status.d entries, DEP-5 copyright files). Continuation
 * lines are kept (joined with "\n"); lines that are neither fields nor continuations are skipped.
 */
export function parseDebControl(text: string): Stanza[] {
  const out: Stanza[] = [];
  let cur: Stanza | undefined;
  let last: string | undefined;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').replace(/\r$/, '');
    if (line.trim() === '') {
      cur = undefined;
      last = undefined;
      continue;
    }
    if (line.startsWith('#')) continue;
    if (line.startsWith(' ') || line.startsWith('\t')) {
      if (cur && last !== undefined) cur.fields[last] += `\n${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    if (!cur) {
      cur = { fields: {}, line: i + 1 };
      out.push(cur);
    }
    last = line.slice(0, colon).trim().toLowerCase();
    cur.fields[last] = line.slice(colon + 1).trim();
  }
  return out;
}
