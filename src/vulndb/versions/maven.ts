import { InvalidVersionError, type VersionScheme, compareDigits, compareStrings } from './types.js';

/** Apache Maven's ComparableVersion (3.8.x): nested lists of int and qualifier items. */
type Item = { kind: 'int'; value: string } | { kind: 'str'; value: string } | { kind: 'list'; items: Item[] };

const QUALIFIERS = ['alpha', 'beta', 'milestone', 'rc', 'snapshot', '', 'sp'];
const ALIASES: Record<string, string> = { ga: '', final: '', release: '', cr: 'rc' };
const RELEASE_INDEX = String(QUALIFIERS.indexOf(''));

function strItem(value: string, followedByDigit: boolean): Item {
  let v = value;
  if (followedByDigit && v.length === 1) {
    if (v === 'a') v = 'alpha';
    else if (v === 'b') v = 'beta';
    else if (v === 'm') v = 'milestone';
  }
  return { kind: 'str', value: ALIASES[v] ?? v };
}

function parseItem(isDigit: boolean, buf: string): Item {
  return isDigit ? { kind: 'int', value: buf.replace(/^0+/, '') || '0' } : strItem(buf, false);
}

function isNull(item: Item): boolean {
  if (item.kind === 'int') return item.value === '0';
  if (item.kind === 'str') return item.value === '';
  return item.items.length === 0;
}

function normalize(list: Item[]): void {
  for (let i = list.length - 1; i >= 0; i--) {
    const last = list[i]!;
    if (isNull(last)) list.splice(i, 1);
    else if (last.kind !== 'list') break;
  }
}

export function parseMaven(version: string): Item {
  const v = version.toLowerCase();
  const root: Item[] = [];
  let list = root;
  const stack: Item[][] = [root];
  let isDigit = false;
  let start = 0;
  const pushList = (): void => {
    const inner: Item[] = [];
    list.push({ kind: 'list', items: inner });
    list = inner;
    stack.push(inner);
  };
  for (let i = 0; i < v.length; i++) {
    const c = v[i]!;
    if (c === '.' || c === '-') {
      list.push(i === start ? { kind: 'int', value: '0' } : parseItem(isDigit, v.slice(start, i)));
      start = i + 1;
      if (c === '-') pushList();
    } else if (c >= '0' && c <= '9') {
      if (!isDigit && i > start) {
        list.push(strItem(v.slice(start, i), true));
        start = i;
        pushList();
      }
      isDigit = true;
    } else {
      if (isDigit && i > start) {
        list.push(parseItem(true, v.slice(start, i)));
        start = i;
        pushList();
      }
      isDigit = false;
    }
  }
  if (v.length > start) {
    // "1.0.0.X1 < 1.0.0-X2": a trailing string qualifier after '.' counts as after '-'
    if (!isDigit && list.length > 0) pushList();
    list.push(parseItem(isDigit, v.slice(start)));
  }
  while (stack.length > 0) normalize(stack.pop()!);
  return { kind: 'list', items: root };
}

function comparableQualifier(q: string): string {
  const i = QUALIFIERS.indexOf(q);
  return i === -1 ? `${QUALIFIERS.length}-${q}` : String(i);
}

function cmp(a: Item, b: Item | undefined): number {
  if (a.kind === 'int') {
    if (b === undefined) return a.value === '0' ? 0 : 1;
    if (b.kind === 'int') return compareDigits(a.value, b.value);
    return 1;
  }
  if (a.kind === 'str') {
    if (b === undefined) return compareStrings(comparableQualifier(a.value), RELEASE_INDEX);
    if (b.kind === 'int' || b.kind === 'list') return -1;
    return compareStrings(comparableQualifier(a.value), comparableQualifier(b.value));
  }
  if (b === undefined) {
    // the whole list against "nothing", not just its first item (MNG-6964)
    for (const item of a.items) {
      const r = cmp(item, undefined);
      if (r !== 0) return r;
    }
    return 0;
  }
  if (b.kind === 'int') return -1;
  if (b.kind === 'str') return 1;
  const n = Math.max(a.items.length, b.items.length);
  for (let i = 0; i < n; i++) {
    const l = a.items[i];
    const r = b.items[i];
    const result = l === undefined ? (r === undefined ? 0 : -cmp(r, l)) : cmp(l, r);
    if (result !== 0) return result;
  }
  return 0;
}

// Maven orders any string; we only refuse empty input and whitespace or punctuation that never occurs in versions.
const VALID = /^[A-Za-z0-9._+-]+$/;

export const maven: VersionScheme = {
  name: 'maven',
  valid: (v) => VALID.test(v),
  compare(a, b) {
    if (!VALID.test(a)) throw new InvalidVersionError('maven', a);
    if (!VALID.test(b)) throw new InvalidVersionError('maven', b);
    return Math.sign(cmp(parseMaven(a), parseMaven(b)));
  },
};
