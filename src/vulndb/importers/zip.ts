import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { crc32, inflateRawSync } from 'node:zlib';

/**
 * A small ZIP reader (central directory + stored/deflate entries, ZIP64 aware) for the
 * per-ecosystem archives osv.dev publishes. Reads entry by entry through a file descriptor,
 * so memory stays bounded by the largest entry, and each entry's size is capped.
 */
export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  crc: number;
  localHeaderOffset: number;
}

export class ZipError extends Error {
  override name = 'ZipError';
}

const EOCD_SIG = 0x06054b50;
const ZIP64_LOCATOR_SIG = 0x07064b50;
const ZIP64_EOCD_SIG = 0x06064b50;
const CDH_SIG = 0x02014b50;
const LOCAL_SIG = 0x04034b50;

export const DEFAULT_MAX_ENTRY_BYTES = 64 * 1024 * 1024;

function readAt(fd: number, position: number, length: number): Buffer {
  const buf = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buf, done, length - done, position + done);
    if (n === 0) throw new ZipError('unexpected end of zip file');
    done += n;
  }
  return buf;
}

export class ZipReader {
  private readonly fd: number;
  readonly entries: ZipEntry[];

  constructor(
    readonly path: string,
    private readonly maxEntryBytes = DEFAULT_MAX_ENTRY_BYTES,
  ) {
    this.fd = openSync(path, 'r');
    try {
      this.entries = this.readCentralDirectory();
    } catch (err) {
      closeSync(this.fd);
      throw err;
    }
  }

  close(): void {
    closeSync(this.fd);
  }

  private readCentralDirectory(): ZipEntry[] {
    const size = fstatSync(this.fd).size;
    const tailLen = Math.min(size, 65557);
    const tail = readAt(this.fd, size - tailLen, tailLen);
    let eocd = -1;
    for (let i = tail.length - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === EOCD_SIG) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) throw new ZipError(`${this.path}: not a zip file (no end of central directory)`);
    let count = tail.readUInt16LE(eocd + 10);
    let cdSize = tail.readUInt32LE(eocd + 12);
    let cdOffset = tail.readUInt32LE(eocd + 16);
    if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
      const locPos = size - tailLen + eocd - 20;
      if (locPos < 0) throw new ZipError('ZIP64 locator missing');
      const loc = readAt(this.fd, locPos, 20);
      if (loc.readUInt32LE(0) !== ZIP64_LOCATOR_SIG) throw new ZipError('ZIP64 locator missing');
      const z64 = readAt(this.fd, Number(loc.readBigUInt64LE(8)), 56);
      if (z64.readUInt32LE(0) !== ZIP64_EOCD_SIG) throw new ZipError('ZIP64 end of central directory missing');
      count = Number(z64.readBigUInt64LE(32));
      cdSize = Number(z64.readBigUInt64LE(40));
      cdOffset = Number(z64.readBigUInt64LE(48));
    }
    if (cdOffset + cdSize > size) throw new ZipError('central directory lies outside the file');
    const cd = readAt(this.fd, cdOffset, cdSize);
    const entries: ZipEntry[] = [];
    let p = 0;
    for (let i = 0; i < count; i++) {
      if (p + 46 > cd.length || cd.readUInt32LE(p) !== CDH_SIG) throw new ZipError('corrupt central directory');
      const method = cd.readUInt16LE(p + 10);
      const crc = cd.readUInt32LE(p + 16);
      let compressedSize = cd.readUInt32LE(p + 20);
      let uncompressed = cd.readUInt32LE(p + 24);
      const nameLen = cd.readUInt16LE(p + 28);
      const extraLen = cd.readUInt16LE(p + 30);
      const commentLen = cd.readUInt16LE(p + 32);
      let localHeaderOffset = cd.readUInt32LE(p + 42);
      const name = cd.toString('utf8', p + 46, p + 46 + nameLen);
      // ZIP64 extra field: the 64-bit values, in order, for the fields that overflowed
      let e = p + 46 + nameLen;
      const extraEnd = e + extraLen;
      while (e + 4 <= extraEnd) {
        const id = cd.readUInt16LE(e);
        const len = cd.readUInt16LE(e + 2);
        if (id === 0x0001) {
          let q = e + 4;
          if (uncompressed === 0xffffffff) {
            uncompressed = Number(cd.readBigUInt64LE(q));
            q += 8;
          }
          if (compressedSize === 0xffffffff) {
            compressedSize = Number(cd.readBigUInt64LE(q));
            q += 8;
          }
          if (localHeaderOffset === 0xffffffff) localHeaderOffset = Number(cd.readBigUInt64LE(q));
        }
        e += 4 + len;
      }
      entries.push({ name, method, compressedSize, size: uncompressed, crc, localHeaderOffset });
      p = extraEnd + commentLen;
    }
    return entries;
  }

  /** The entry's bytes, CRC-checked. Throws ZipError for unsupported, oversized or corrupt entries. */
  read(entry: ZipEntry): Buffer {
    if (entry.size > this.maxEntryBytes) throw new ZipError(`${entry.name}: ${entry.size} bytes exceeds the ${this.maxEntryBytes}-byte limit`);
    const local = readAt(this.fd, entry.localHeaderOffset, 30);
    if (local.readUInt32LE(0) !== LOCAL_SIG) throw new ZipError(`${entry.name}: bad local header`);
    const dataStart = entry.localHeaderOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
    const raw = readAt(this.fd, dataStart, entry.compressedSize);
    let data: Buffer;
    if (entry.method === 0) data = raw;
    else if (entry.method === 8) {
      try {
        data = inflateRawSync(raw, { maxOutputLength: this.maxEntryBytes });
      } catch (err) {
        throw new ZipError(`${entry.name}: ${(err as Error).message}`);
      }
    } else throw new ZipError(`${entry.name}: unsupported compression method ${entry.method}`);
    if (data.length !== entry.size) throw new ZipError(`${entry.name}: size mismatch`);
    if (crc32(data) >>> 0 !== entry.crc >>> 0) throw new ZipError(`${entry.name}: CRC mismatch`);
    return data;
  }
}
