import { InvalidVersionError, type VersionScheme, compareDigits, compareStrings } from './types.js';

/**
 * Alpine package version order, following apk-tools' version.c (v3 tokenizer):
 * digit{.digit}...{letter}{_suffix{#}}...{~hash}{-r#}. Comparison walks both token streams;
 * when one of them becomes invalid, the remainders are compared as strings, like apk does.
 */
enum Tok {
  InitialDigit,
  Digit,
  Letter,
  Suffix,
  SuffixNo,
  CommitHash,
  RevisionNo,
  End,
  Invalid,
}

const SUFFIXES: Record<string, number> = { alpha: 0, beta: 1, pre: 2, rc: 3, cvs: 5, svn: 6, git: 7, hg: 8, p: 9 };
const SUFFIX_NONE = 4;

interface State {
  token: Tok;
  value: string;
  suffix: number;
}

class Cursor {
  constructor(
    readonly s: string,
    public pos = 0,
  ) {}
  get rest(): string {
    return this.s.slice(this.pos);
  }
  peek(): string | undefined {
    return this.s[this.pos];
  }
  span(re: RegExp): string {
    const start = this.pos;
    while (this.pos < this.s.length && re.test(this.s[this.pos]!)) this.pos++;
    return this.s.slice(start, this.pos);
  }
}

function parseDigits(t: State, c: Cursor): void {
  t.value = c.span(/[0-9]/);
  if (t.value.length === 0) t.token = Tok.Invalid;
}

function first(c: Cursor): State {
  const t: State = { token: Tok.InitialDigit, value: '', suffix: 0 };
  parseDigits(t, c);
  return t;
}

function next(t: State, c: Cursor): void {
  const ch = c.peek();
  if (ch === undefined) {
    t.token = Tok.End;
    return;
  }
  const invalid = (): void => {
    t.token = Tok.Invalid;
  };
  if (ch >= 'a' && ch <= 'z') {
    if (t.token > Tok.Digit) return invalid();
    t.value = ch;
    t.token = Tok.Letter;
    c.pos++;
  } else if (ch === '.' || (ch >= '0' && ch <= '9')) {
    if (ch === '.') {
      if (t.token > Tok.Digit) return invalid();
      c.pos++;
    }
    if (t.token === Tok.InitialDigit || t.token === Tok.Digit) t.token = Tok.Digit;
    else if (t.token === Tok.Suffix) t.token = Tok.SuffixNo;
    else return invalid();
    parseDigits(t, c);
  } else if (ch === '_') {
    if (t.token > Tok.SuffixNo) return invalid();
    c.pos++;
    t.value = c.span(/[a-z]/);
    const suffix = SUFFIXES[t.value];
    if (suffix === undefined) return invalid();
    t.suffix = suffix;
    t.token = Tok.Suffix;
  } else if (ch === '~') {
    if (t.token >= Tok.CommitHash) return invalid();
    c.pos++;
    t.value = c.span(/[0-9a-fA-F]/);
    if (t.value.length === 0) return invalid();
    t.token = Tok.CommitHash;
  } else if (ch === '-') {
    if (t.token >= Tok.RevisionNo) return invalid();
    if (!c.rest.startsWith('-r')) return invalid();
    c.pos += 2;
    t.token = Tok.RevisionNo;
    parseDigits(t, c);
  } else {
    invalid();
  }
}

function tokenCmp(a: State, b: State): number {
  switch (a.token) {
    case Tok.Digit:
      // a leading zero means "compare as strings" (Gentoo rule)
      if (a.value.startsWith('0') || b.value.startsWith('0')) return compareStrings(a.value, b.value);
      return compareDigits(a.value, b.value);
    case Tok.InitialDigit:
    case Tok.SuffixNo:
    case Tok.RevisionNo:
      return compareDigits(a.value, b.value);
    case Tok.Letter:
      return compareStrings(a.value, b.value);
    case Tok.Suffix:
      return a.suffix < b.suffix ? -1 : a.suffix > b.suffix ? 1 : 0;
    default:
      return compareStrings(a.value, b.value);
  }
}

export function validApk(v: string): boolean {
  const c = new Cursor(v);
  const t = first(c);
  while (t.token < Tok.End) next(t, c);
  return t.token === Tok.End;
}

/** apk_version_compare; total for any input (invalid tails compare as strings). */
export function compareApkRaw(a: string, b: string): number {
  const ca = new Cursor(a);
  const cb = new Cursor(b);
  const ta = first(ca);
  const tb = first(cb);
  while (ta.token === tb.token && ta.token < Tok.End) {
    const r = tokenCmp(ta, tb);
    if (r !== 0) return r;
    next(ta, ca);
    next(tb, cb);
  }
  if (ta.token === tb.token) {
    // both invalid: order by what is left, so distinct invalid tails are not "equal"
    if (ta.token === Tok.Invalid) return compareStrings(ca.rest, cb.rest);
    return 0;
  }
  if (ta.token === Tok.Suffix && ta.suffix < SUFFIX_NONE) return -1;
  if (tb.token === Tok.Suffix && tb.suffix < SUFFIX_NONE) return 1;
  return ta.token > tb.token ? -1 : 1;
}

export const apk: VersionScheme = {
  name: 'apk',
  valid: validApk,
  compare(a, b) {
    if (a.length === 0 || !/^[0-9]/.test(a)) throw new InvalidVersionError('apk', a);
    if (b.length === 0 || !/^[0-9]/.test(b)) throw new InvalidVersionError('apk', b);
    return compareApkRaw(a, b);
  },
};
