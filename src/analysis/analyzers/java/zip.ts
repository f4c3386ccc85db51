import { inflateRawSync } from 'node:zlib';

/** A zip central-directory entry; data is read lazily and bounded. */
export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

const EOCD = 0x06054b50;
const CEN = 0x02014b50;
const LOC = 0x04034b50;
const EOCD64 = 0x06064b50;
const EOCD64_LOCATOR = 0x07064b50;
const MAX_ENTRIES = 200_000;

/** The zip64 extra field (id 1) holds, in order, only the values whose 32-bit fields are all ones. */
function zip64Extra(extra: Buffer, e: ZipEntry): void {
  for (let i = 0; i + 4 <= extra.length; ) {
    const id = extra.readUInt16LE(i);
    const len = extra.readUInt16LE(i + 2);
    if (id === 1) {
      let q = i + 4;
      const next = (): number => {
        if (q + 8 > i + 4 + len || q + 8 > extra.length) throw new Error(`${e.name}: short zip64 extra field`);
        const v = Number(extra.readBigUInt64LE(q));
        q += 8;
        return v;
      };
      if (e.size === 0xffffffff) e.size = next();
      if (e.compressedSize === 0xffffffff) e.compressedSize = next();
      if (e.localOffset === 0xffffffff) e.localOffset = next();
      return;
    }
    i += 4 + len;
  }
  throw new Error(`${e.name}: zip64 sizes without a zip64 extra field`);
}

/** Reads the central directory. Throws on anything that is not a (non-zip64) zip file. */
export function zipEntries(buf: Buffer): ZipEntry[] {
  const min = Math.max(0, buf.length - 22 - 0xffff);
  let eocd = -1;
  for (let i = buf.length - 22; i >= min; i--) {
    if (buf.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('no zip end-of-central-directory record');
  let count = buf.readUInt16LE(eocd + 10);
  let cdOffset = buf.readUInt32LE(eocd + 16);
  if (count === 0xffff || cdOffset === 0xffffffff) {
    // zip64: a locator just before the classic record points at the zip64 end record.
    const loc = eocd - 20;
    if (loc < 0 || buf.readUInt32LE(loc) !== EOCD64_LOCATOR) throw new Error('zip64 locator missing');
    const rec = Number(buf.readBigUInt64LE(loc + 8));
    if (rec + 56 > buf.length || buf.readUInt32LE(rec) !== EOCD64) throw new Error('bad zip64 end record');
    count = Number(buf.readBigUInt64LE(rec + 32));
    cdOffset = Number(buf.readBigUInt64LE(rec + 48));
  }
  if (count > MAX_ENTRIES) throw new Error('too many zip entries');
  const out: ZipEntry[] = [];
  let p = cdOffset;
  for (let i = 0; i < count; i++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== CEN) throw new Error(`bad central directory entry ${i}`);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const e: ZipEntry = {
      method: buf.readUInt16LE(p + 10),
      compressedSize: buf.readUInt32LE(p + 20),
      size: buf.readUInt32LE(p + 24),
      localOffset: buf.readUInt32LE(p + 42),
      name: buf.toString('utf8', p + 46, p + 46 + nameLen),
    };
    if (e.size === 0xffffffff || e.compressedSize === 0xffffffff || e.localOffset === 0xffffffff) {
      zip64Extra(buf.subarray(p + 46 + nameLen, p + 46 + nameLen + extraLen), e);
    }
    out.push(e);
    p += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

/** Entry content, inflated; refuses entries larger than maxSize (zip bombs). */
export function zipRead(buf: Buffer, e: ZipEntry, maxSize: number): Buffer {
  if (e.size > maxSize) throw new Error(`${e.name}: larger than ${maxSize} bytes`);
  const h = e.localOffset;
  if (h + 30 > buf.length || buf.readUInt32LE(h) !== LOC) throw new Error(`${e.name}: bad local header`);
  const start = h + 30 + buf.readUInt16LE(h + 26) + buf.readUInt16LE(h + 28);
  const end = start + e.compressedSize;
  if (end > buf.length) throw new Error(`${e.name}: data outside the archive`);
  const data = buf.subarray(start, end);
  if (e.method === 0) return data;
  if (e.method === 8) return inflateRawSync(data, { maxOutputLength: Math.max(1, maxSize) });
  throw new Error(`${e.name}: unsupported compression method ${e.method}`);
}
