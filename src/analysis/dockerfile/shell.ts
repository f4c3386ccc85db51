/**
 * Just enough shell parsing for lint rules on RUN lines: split a command line into simple commands
 * (at `&&`, `||`, `;`, newlines) and pipelines, and words. Quotes are honoured for splitting but
 * not interpreted further; this is a linter heuristic, not a shell.
 */

export interface SimpleCommand {
  /** Words after leading `VAR=value` assignments and `sudo`/`env` wrappers. */
  words: string[];
  /** Whether the command was run through sudo. */
  sudo: boolean;
}

/** A pipeline: commands joined by `|`. */
export type Pipeline = SimpleCommand[];

function splitTopLevel(text: string, separators: RegExp): string[] {
  const parts: string[] = [];
  let current = '';
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === quote) quote = undefined;
      current += ch;
      continue;
    }
    if (ch === '"' || ch === "'") {
      quote = ch;
      current += ch;
      continue;
    }
    separators.lastIndex = i;
    const m = separators.exec(text);
    if (m && m.index === i) {
      parts.push(current);
      current = '';
      i += m[0].length - 1;
      continue;
    }
    current += ch;
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p.length > 0);
}

function words(text: string): string[] {
  return (text.match(/"[^"]*"|'[^']*'|\S+/g) ?? []).map((w) => w.replace(/^["']|["']$/g, ''));
}

function simple(text: string): SimpleCommand {
  let ws = words(text);
  let sudo = false;
  for (;;) {
    if (ws[0] === 'sudo') {
      sudo = true;
      ws = ws.slice(1);
      while (ws[0]?.startsWith('-')) ws = ws.slice(1);
    } else if (ws[0] === 'env' || /^[A-Za-z_][A-Za-z0-9_]*=/.test(ws[0] ?? '')) {
      ws = ws.slice(1);
    } else break;
  }
  return { words: ws, sudo };
}

/** The pipelines of a RUN command line (shell form or JSON exec form). */
export function parseRun(content: string): Pipeline[] {
  let text = content.trim();
  if (text.startsWith('[')) {
    try {
      const argv = JSON.parse(text) as unknown;
      if (Array.isArray(argv)) text = argv.map(String).join(' ');
    } catch {
      // Not valid JSON: Docker runs it with the shell, so lint it as shell.
    }
  }
  return splitTopLevel(text, /&&|\|\||;|\n/y).map((cmd) => splitTopLevel(cmd, /\|(?!\|)/y).map(simple));
}

/** Flags, including clusters (`-qqy` holds `y`). */
export function hasFlag(ws: readonly string[], short: string | undefined, long: readonly string[]): boolean {
  return ws.some(
    (w) => long.includes(w) || long.some((l) => w.startsWith(`${l}=`)) || (short !== undefined && /^-[A-Za-z]+$/.test(w) && w.includes(short)),
  );
}
