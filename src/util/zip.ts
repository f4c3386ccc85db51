import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { crc32, inflateRawSync } from 'node:zlib';

/**
 * The one ZIP reader of the project (central directory + stored/deflate entries, ZIP64 aware),
 * used for Java archives inside images and for the OSV feed archives. It reads through a
 * random-access source (a buffer, or a file read piece by piece), so memory stays bounded by
 * the entries actually read, and every entry's inflated size is capped.
 */
export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  crc: number;
  localOffset: number;
}

export class ZipError extends Error {
  override name = 'ZipError';
}

/** Bytes by position: a whole buffer in memory, or an open file. */
export interface RandomAccess {
  readonly size: number;
  read(position: number, length: number): Buffer;
}

export function bufferSource(buf: Buffer): RandomAccess {
  return {
    size: buf.length,
    read(position, length) {
      if (position < 0 || position + length > buf.length) throw new ZipError('unexpected end of zip data');
      return buf.subarray(position, position + length);
    },
  };
}

export function fileSource(fd: number): RandomAccess {
  return {
    size: fstatSync(fd).size,
    read(position, length) {
      const buf = Buffer.alloc(length);
      for (let done = 0; done < length; ) {
        const n = readSync(fd, buf, done, length - done, position + done);
        if (n === 0) throw new ZipError('unexpected end of zip file');
        done += n;
      }
      return buf;
    },
  };
}

const EOCD = 0x06054b50;
const EOCD64_LOCATOR = 0x07064b50;
const EOCD64 = 0x06064b50;
const CEN = 0x02014b50;
const LOC = 0x04034b50;
const MAX_U32 = 0xffffffff;

/** The zip64 extra field (id 1) holds, in order, only the values whose 32-bit fields are all ones. */
function applyZip64(extra: Buffer, e: ZipEntry): void {
  for (let i = 0; i + 4 <= extra.length; ) {
    const id = extra.readUInt16LE(i);
    const len = extra.readUInt16LE(i + 2);
    if (id === 1) {
      let q = i + 4;
      const next = (): number => {
        if (q + 8 > i + 4 + len || q + 8 > extra.length) throw new ZipError(`${e.name}: short zip64 extra field`);
        const v = Number(extra.readBigUInt64LE(q));
        q += 8;
        return v;
      };
      if (e.size === MAX_U32) e.size = next();
      if (e.compressedSize === MAX_U32) e.compressedSize = next();
      if (e.localOffset === MAX_U32) e.localOffset = next();
      return;
    }
    i += 4 + len;
  }
  throw new ZipError(`${e.name}: zip64 sizes without a zip64 extra field`);
}

/** Reads the central directory; throws ZipError for anything that is not a zip archive. */
export function readCentralDirectory(src: RandomAccess, maxEntries = 1_000_000): ZipEntry[] {
  const tailLen = Math.min(src.size, 22 + 0xffff);
  const tailStart = src.size - tailLen;
  const tail = src.read(tailStart, tailLen);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new ZipError('not a zip archive (no end of central directory record)');
  let count = tail.readUInt16LE(eocd + 10);
  let cdSize = tail.readUInt32LE(eocd + 12);
  let cdOffset = tail.readUInt32LE(eocd + 16);
  if (count === 0xffff || cdSize === MAX_U32 || cdOffset === MAX_U32) {
    const locPos = tailStart + eocd - 20;
    if (locPos < 0) throw new ZipError('zip64 locator missing');
    const loc = src.read(locPos, 20);
    if (loc.readUInt32LE(0) !== EOCD64_LOCATOR) throw new ZipError('zip64 locator missing');
    const recPos = Number(loc.readBigUInt64LE(8));
    if (recPos + 56 > src.size) throw new ZipError('bad zip64 end record');
    const rec = src.read(recPos, 56);
    if (rec.readUInt32LE(0) !== EOCD64) throw new ZipError('bad zip64 end record');
    count = Number(rec.readBigUInt64LE(32));
    cdSize = Number(rec.readBigUInt64LE(40));
    cdOffset = Number(rec.readBigUInt64LE(48));
  }
  if (count > maxEntries) throw new ZipError(`too many zip entries (${count})`);
  if (cdOffset + cdSize > src.size) throw new ZipError('central directory lies outside the archive');
  const cd = src.read(cdOffset, cdSize);
  const out: ZipEntry[] = [];
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > cd.length || cd.readUInt32LE(p) !== CEN) throw new ZipError(`bad central directory entry ${i}`);
    const nameLen = cd.readUInt16LE(p + 28);
    const extraLen = cd.readUInt16LE(p + 30);
    const commentLen = cd.readUInt16LE(p + 32);
    const e: ZipEntry = {
      method: cd.readUInt16LE(p + 10),
      crc: cd.readUInt32LE(p + 16),
      compressedSize: cd.readUInt32LE(p + 20),
      size: cd.readUInt32LE(p + 24),
      localOffset: cd.readUInt32LE(p + 42),
      name: cd.toString('utf8', p + 46, p + 46 + nameLen),
    };
    if (e.size === MAX_U32 || e.compressedSize === MAX_U32 || e.localOffset === MAX_U32) {
      applyZip64(cd.subarray(p + 46 + nameLen, p + 46 + nameLen + extraLen), e);
    }
    out.push(e);
    p += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

/** An entry's bytes, inflated and CRC-checked; refuses entries larger than `maxSize` (zip bombs). */
export function readEntry(src: RandomAccess, e: ZipEntry, maxSize: number): Buffer {
  if (e.size > maxSize) throw new ZipError(`${e.name}: ${e.size} bytes exceeds the ${maxSize}-byte limit`);
  if (e.localOffset + 30 > src.size) throw new ZipError(`${e.name}: bad local header`);
  const local = src.read(e.localOffset, 30);
  if (local.readUInt32LE(0) !== LOC) throw new ZipError(`${e.name}: bad local header`);
  const start = e.localOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
  if (start + e.compressedSize > src.size) throw new ZipError(`${e.name}: data outside the archive`);
  const raw = src.read(start, e.compressedSize);
  let data: Buffer;
  if (e.method === 0) data = raw;
  else if (e.method === 8) {
    try {
      data = inflateRawSync(raw, { maxOutputLength: Math.max(1, maxSize) });
    } catch (err) {
      throw new ZipError(`${e.name}: ${(err as Error).message}`);
    }
  } else throw new ZipError(`${e.name}: unsupported compression method ${e.method}`);
  if (data.length !== e.size) throw new ZipError(`${e.name}: size mismatch`);
  if (crc32(data) >>> 0 !== e.crc >>> 0) throw new ZipError(`${e.name}: CRC mismatch`);
  return data;
}

/** A zip file on disk, read entry by entry. */
export class ZipFile {
  private readonly fd: number;
  private readonly src: RandomAccess;
  readonly entries: ZipEntry[];

  constructor(
    readonly path: string,
    private readonly maxEntryBytes: number,
  ) {
    this.fd = openSync(path, 'r');
    try {
      this.src = fileSource(this.fd);
      this.entries = readCentralDirectory(this.src);
    } catch (err) {
      closeSync(this.fd);
      throw err instanceof ZipError ? new ZipError(`${path}: ${err.message}`) : err;
    }
  }

  read(entry: ZipEntry): Buffer {
    return readEntry(this.src, entry, this.maxEntryBytes);
  }

  close(): void {
    closeSync(this.fd);
  }
}
