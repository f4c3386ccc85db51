/** Content sniffing, entropy, masking and placeholder detection for secret scanning. */

const SNIFF_BYTES = 8192;

/**
 * Binary when the first 8 KiB hold a NUL byte or more than 30% control bytes (other than
 * tab, newline, carriage return, form feed, escape). Bytes >= 0x80 count as text (UTF-8).
 */
export function isBinary(content: Uint8Array): boolean {
  const n = Math.min(content.length, SNIFF_BYTES);
  if (n === 0) return false;
  let control = 0;
  for (let i = 0; i < n; i++) {
    const b = content[i]!;
    if (b === 0) return true;
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c && b !== 0x1b && b !== 0x08) control++;
    else if (b === 0x7f) control++;
  }
  return control / n > 0.3;
}

/** Shannon entropy in bits per character. */
export function shannonEntropy(s: string): number {
  if (s.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  for (const c of counts.values()) {
    const p = c / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

/**
 * Keeps a short prefix (at most 4 characters and never more than a quarter of the secret) and
 * replaces the rest with `*` (at most 32, so long keys stay readable in reports).
 */
export function maskSecret(secret: string): string {
  const keep = Math.min(4, Math.floor(secret.length / 4));
  const hidden = Math.min(Math.max(secret.length - keep, 1), 32);
  return secret.slice(0, keep) + '*'.repeat(hidden);
}

const PLACEHOLDER_WORDS = [
  'changeme', 'change_me', 'change-me', 'changeit', 'password', 'passwd', 'secret', 'example', 'sample',
  'dummy', 'placeholder', 'redacted', 'replaceme', 'replace_me', 'your_', 'your-', 'yourpassword',
  'mypassword', 'undefined', 'null', 'none', 'true', 'false', 'todo', 'fixme', 'notset', 'not_set',
];

/**
 * Values that stand for a secret without being one: variable references (`${PASSWORD}`, `$PASS`,
 * `%(pw)s`, `{{ .pw }}`), `<password>`, masks (`xxx`, `***`), paths and well-known dummy words.
 */
export function isPlaceholder(value: string): boolean {
  const v = value.trim();
  if (v.length === 0) return true;
  if (/^\$|\$\{|\$\(|%\(|\{\{|^<[^>]*>$|^\[[^\]]*\]$|^%[A-Za-z_]+%$|^@[A-Za-z_]+@$/.test(v)) return true;
  if (/x{3,}|\*{3,}|\.{3,}|#{3,}|example|dummy|placeholder/i.test(v)) return true;
  if (/^(.)\1+$/.test(v)) return true;
  if (/^\.{0,2}\//.test(v)) return true;
  const lower = v.toLowerCase();
  if (PLACEHOLDER_WORDS.some((w) => lower === w || lower.startsWith(w) || lower.endsWith(w))) return true;
  return false;
}

/** 1-based line number of `index`, counting from a known (index, line) position before it. */
export function lineAt(text: string, index: number, from: { index: number; line: number }): number {
  let line = from.line;
  let i = text.indexOf('\n', from.index);
  while (i !== -1 && i < index) {
    line++;
    i = text.indexOf('\n', i + 1);
  }
  return line;
}
