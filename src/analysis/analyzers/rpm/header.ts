/**
 * rpm header blobs as stored in the rpm databases (no lead, no header magic): big-endian
 * index count and data length, then 16-byte index entries, then the data store.
 */

export const TAG = {
  NAME: 1000,
  VERSION: 1001,
  RELEASE: 1002,
  EPOCH: 1003,
  VENDOR: 1011,
  LICENSE: 1014,
  ARCH: 1022,
  SOURCERPM: 1044,
  DIRINDEXES: 1116,
  BASENAMES: 1117,
  DIRNAMES: 1118,
} as const;

const TYPE_INT32 = 4;
const TYPE_STRING = 6;
const TYPE_STRING_ARRAY = 8;
const TYPE_I18NSTRING = 9;

/** rpm's own limits (lib/header.c): anything bigger is a corrupt or hostile blob. */
const MAX_INDEX = 0xffff;
const MAX_DATA = 0x0fffffff;

export type HeaderValue = string | string[] | number[];

export function parseHeaderBlob(blob: Buffer): Map<number, HeaderValue> {
  if (blob.length < 8) throw new Error('header blob too short');
  const il = blob.readUInt32BE(0);
  const dl = blob.readUInt32BE(4);
  if (il < 1 || il > MAX_INDEX || dl > MAX_DATA) throw new Error(`header counts out of range (${il}, ${dl})`);
  const dataStart = 8 + il * 16;
  if (dataStart + dl > blob.length) throw new Error('header blob truncated');
  const data = blob.subarray(dataStart, dataStart + dl);
  const out = new Map<number, HeaderValue>();
  for (let i = 0; i < il; i++) {
    const e = 8 + i * 16;
    const tag = blob.readUInt32BE(e);
    const type = blob.readUInt32BE(e + 4);
    const off = blob.readUInt32BE(e + 8);
    const count = blob.readUInt32BE(e + 12);
    if (off > dl) throw new Error(`tag ${tag}: offset outside data`);
    if (type === TYPE_STRING || type === TYPE_STRING_ARRAY || type === TYPE_I18NSTRING) {
      const strings: string[] = [];
      let p = off;
      const n = type === TYPE_STRING ? 1 : count;
      // Every string takes at least its terminator: a larger count is corrupt (and would spin).
      if (n > dl - off) throw new Error(`tag ${tag}: string count exceeds data`);
      for (let k = 0; k < n; k++) {
        const end = data.indexOf(0, p);
        if (end < 0) throw new Error(`tag ${tag}: unterminated string`);
        strings.push(data.toString('utf8', p, end));
        p = end + 1;
      }
      out.set(tag, type === TYPE_STRING ? (strings[0] ?? '') : strings);
    } else if (type === TYPE_INT32) {
      if (off + count * 4 > dl) throw new Error(`tag ${tag}: int32 array outside data`);
      const nums: number[] = [];
      for (let k = 0; k < count; k++) nums.push(data.readUInt32BE(off + k * 4));
      out.set(tag, nums);
    }
  }
  return out;
}

export interface RpmHeader {
  name: string;
  version: string;
  release: string;
  epoch?: number;
  arch?: string;
  sourceRpm?: string;
  license?: string;
  vendor?: string;
  files: string[];
}

function s(v: HeaderValue | undefined): string | undefined {
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && typeof v[0] === 'string') return v[0];
  return undefined;
}

export function readRpmHeader(blob: Buffer): RpmHeader {
  const h = parseHeaderBlob(blob);
  const name = s(h.get(TAG.NAME));
  const version = s(h.get(TAG.VERSION));
  const release = s(h.get(TAG.RELEASE));
  if (!name || !version || release === undefined) throw new Error('header without NAME/VERSION/RELEASE');
  const epochV = h.get(TAG.EPOCH);
  const epoch = Array.isArray(epochV) && typeof epochV[0] === 'number' ? epochV[0] : undefined;
  const files: string[] = [];
  const base = h.get(TAG.BASENAMES);
  const dirs = h.get(TAG.DIRNAMES);
  const idx = h.get(TAG.DIRINDEXES);
  if (Array.isArray(base) && Array.isArray(dirs) && Array.isArray(idx)) {
    for (let i = 0; i < base.length; i++) {
      const d = dirs[idx[i] as number];
      const b = base[i];
      if (typeof d === 'string' && typeof b === 'string') files.push(d + b);
    }
  }
  const out: RpmHeader = { name, version, release, files };
  if (epoch !== undefined) out.epoch = epoch;
  const arch = s(h.get(TAG.ARCH));
  if (arch) out.arch = arch;
  const src = s(h.get(TAG.SOURCERPM));
  if (src) out.sourceRpm = src;
  const lic = s(h.get(TAG.LICENSE));
  if (lic) out.license = lic;
  const vendor = s(h.get(TAG.VENDOR));
  if (vendor) out.vendor = vendor;
  return out;
}

/** "glibc-2.28-225.el8.src.rpm" -> name, version, release. */
export function splitSourceRpm(src: string): { name: string; version: string; release: string } | undefined {
  const m = /^(.+)-([^-]+)-([^-]+)\.(?:no)?src\.rpm$/.exec(src);
  if (!m?.[1] || !m[2] || !m[3]) return undefined;
  return { name: m[1], version: m[2], release: m[3] };
}
