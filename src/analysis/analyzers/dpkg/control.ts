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
  // Continuation lines of `last`, joined once when the field ends (license texts run to
  // thousands of lines; appending to the value line by line made this the analyzer's hot spot).
  let more: string[] | undefined;
  const flush = () => {
    if (more && cur && last !== undefined) cur.fields[last] += `\n${more.join('\n')}`;
    more = undefined;
  };
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const line = raw.charCodeAt(raw.length - 1) === 13 ? raw.slice(0, -1) : raw;
    const first = line.charCodeAt(0);
    if (first === 32 || first === 9) {
      const trimmed = line.trim();
      if (trimmed === '') {
        flush();
        cur = undefined;
        last = undefined;
      } else if (cur && last !== undefined) (more ??= []).push(trimmed);
      continue;
    }
    if (line.trim() === '') {
      flush();
      cur = undefined;
      last = undefined;
      continue;
    }
    if (first === 35) continue; // '#'
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    flush();
    if (!cur) {
      cur = { fields: {}, line: i + 1 };
      out.push(cur);
    }
    last = line.slice(0, colon).trim().toLowerCase();
    cur.fields[last] = line.slice(colon + 1).trim();
  }
  flush();
  return out;
}
