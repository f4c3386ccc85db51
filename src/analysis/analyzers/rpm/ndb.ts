/**
 * rpm's own "ndb" backend (Packages.db, SUSE): little-endian header, slot pages naming
 * (package index, block offset), blobs of 16-byte blocks each with a header. Per lib/backend/ndb.
 */

const HEADER_MAGIC = 0x506d7052; // "RpmP"
const SLOT_MAGIC = 0x746f6c53; // "Slot"
const BLOB_MAGIC = 0x53626c42; // "BlbS"
const PAGE = 4096;
const SLOT = 16;
const BLOCK = 16;

export function isNdb(buf: Buffer): boolean {
  return buf.length >= 32 && buf.readUInt32LE(0) === HEADER_MAGIC;
}

export function ndbBlobs(buf: Buffer, onError: (msg: string) => void): Buffer[] {
  if (!isNdb(buf)) throw new Error('not an rpm ndb file');
  if (buf.readUInt32LE(4) !== 0) throw new Error(`unsupported ndb version ${buf.readUInt32LE(4)}`);
  const slotPages = buf.readUInt32LE(12);
  if (slotPages === 0 || slotPages * PAGE > buf.length) throw new Error('bad slot page count');
  const out: Buffer[] = [];
  // The file header occupies the first two slot-sized cells of the first slot page.
  for (let pos = 2 * SLOT; pos + SLOT <= slotPages * PAGE; pos += SLOT) {
    if (buf.readUInt32LE(pos) !== SLOT_MAGIC) throw new Error(`bad slot magic at ${pos}`);
    const pkgIndex = buf.readUInt32LE(pos + 4);
    if (pkgIndex === 0) continue;
    const blobStart = buf.readUInt32LE(pos + 8) * BLOCK;
    if (blobStart + 16 > buf.length) {
      onError(`package ${pkgIndex}: blob outside the file`);
      continue;
    }
    if (buf.readUInt32LE(blobStart) !== BLOB_MAGIC || buf.readUInt32LE(blobStart + 4) !== pkgIndex) {
      onError(`package ${pkgIndex}: bad blob header`);
      continue;
    }
    const len = buf.readUInt32LE(blobStart + 12);
    if (blobStart + 16 + len > buf.length) {
      onError(`package ${pkgIndex}: blob truncated`);
      continue;
    }
    out.push(buf.subarray(blobStart + 16, blobStart + 16 + len));
  }
  return out;
}
