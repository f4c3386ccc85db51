import { occursIn } from './chunks.js';
import type { Exe } from './exe.js';

const MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');
const FLAG_BIG_ENDIAN = 0x1;
const FLAG_INLINE = 0x2;

export interface GoModule {
  path: string;
  version: string;
  sum?: string;
  replace?: GoModule;
}

export interface GoBuildInfo {
  goVersion: string;
  path?: string;
  main?: GoModule;
  deps: GoModule[];
  settings: Record<string, string>;
}

function uvarint(buf: Buffer, pos: number): [number, number] {
  let x = 0;
  let shift = 0;
  for (let i = 0; i < 10; i++) {
    const b = buf[pos + i];
    if (b === undefined) throw new Error('truncated varint');
    x += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return [x, pos + i + 1];
    shift += 7;
  }
  throw new Error('varint overflow');
}

function inlineString(buf: Buffer, pos: number): [string, number] {
  const [len, start] = uvarint(buf, pos);
  if (start + len > buf.length) throw new Error('string runs past the end');
  return [buf.toString('utf8', start, start + len), start + len];
}

/** Go strips a 16-byte sentinel from each end of the modinfo string (runtime/debug). */
function stripModinfo(s: string): string {
  if (s.length >= 33 && s[s.length - 17] === '\n') return s.slice(16, -16);
  return s;
}

/** Finds the header at 16-byte alignment, as debug/buildinfo does. */
function findHeader(buf: Buffer): number {
  let from = 0;
  while (from < buf.length) {
    const i = buf.indexOf(MAGIC, from);
    if (i < 0) return -1;
    if (i % 16 === 0 && i + 32 <= buf.length) return i;
    from = i + 1;
  }
  return -1;
}

/**
 * Whether the file (in the pieces it arrived in) holds a Go build-info header where findHeader
 * looks for one: readGoBuildInfo returns undefined for every file this rejects.
 */
export function hasGoBuildInfo(parts: readonly Buffer[]): boolean {
  return occursIn(parts, MAGIC, (at, total) => at % 16 === 0 && at + 32 <= total);
}

/** Reads Go build info from an executable image (ELF, PE, Mach-O). Undefined: not a Go binary. */
export function readGoBuildInfo(buf: Buffer, openExe: () => Exe | undefined): GoBuildInfo | undefined {
  const h = findHeader(buf);
  if (h < 0) return undefined;
  const ptrSize = buf[h + 14] ?? 0;
  const flags = buf[h + 15] ?? 0;
  let version: string;
  let modinfo: string;
  if (flags & FLAG_INLINE) {
    let pos = h + 32;
    [version, pos] = inlineString(buf, pos);
    [modinfo] = inlineString(buf, pos);
  } else {
    if (ptrSize !== 4 && ptrSize !== 8) throw new Error(`bad pointer size ${ptrSize}`);
    // Only the old pointer format needs the container's address map.
    const exe = openExe();
    if (!exe) throw new Error('pointer-format build info outside an ELF, PE or Mach-O file');
    const be = (flags & FLAG_BIG_ENDIAN) !== 0;
    const ptr = (b: Buffer, o: number): bigint =>
      ptrSize === 8 ? (be ? b.readBigUInt64BE(o) : b.readBigUInt64LE(o)) : BigInt(be ? b.readUInt32BE(o) : b.readUInt32LE(o));
    const readString = (addr: bigint): string => {
      const hdr = exe.read(addr, 2 * ptrSize);
      if (!hdr) throw new Error('string header not mapped');
      const data = ptr(hdr, 0);
      const len = Number(ptr(hdr, ptrSize));
      if (len > 16 * 1024 * 1024) throw new Error('string too long');
      if (len === 0) return '';
      const bytes = exe.read(data, len);
      if (!bytes) throw new Error('string data not mapped');
      return bytes.toString('utf8');
    };
    version = readString(ptr(buf, h + 16));
    modinfo = readString(ptr(buf, h + 16 + ptrSize));
  }
  return parseModinfo(version, stripModinfo(modinfo));
}

export function parseModinfo(goVersion: string, text: string): GoBuildInfo {
  const info: GoBuildInfo = { goVersion, deps: [], settings: {} };
  let last: GoModule | undefined;
  for (const line of text.split('\n')) {
    const f = line.split('\t');
    const mod = (): GoModule => {
      const m: GoModule = { path: f[1] ?? '', version: f[2] ?? '' };
      if (f[3]) m.sum = f[3];
      return m;
    };
    switch (f[0]) {
      case 'path':
        info.path = f[1];
        break;
      case 'mod':
        info.main = last = mod();
        break;
      case 'dep':
        last = mod();
        info.deps.push(last);
        break;
      case '=>':
        if (last) last.replace = mod();
        break;
      case 'build': {
        const kv = f[1] ?? '';
        const eq = kv.indexOf('=');
        if (eq > 0) info.settings[kv.slice(0, eq)] = kv.slice(eq + 1);
        break;
      }
    }
  }
  return info;
}
