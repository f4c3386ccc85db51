/**
 * Berkeley DB hash database reader, just enough for rpm's /var/lib/rpm/Packages: every value
 * stored off-page (rpm headers always are) is returned. Layout per db_page.h / hash.h.
 */

const HASH_MAGIC = 0x061561;
const PAGE_HEADER = 26;
const P_HASH_UNSORTED = 2;
const P_OVERFLOW = 7;
const P_HASH = 13;
const H_OFFPAGE = 3;

export function isBdbHash(buf: Buffer): boolean {
  if (buf.length < 512) return false;
  return buf.readUInt32LE(12) === HASH_MAGIC || buf.readUInt32BE(12) === HASH_MAGIC;
}

export function bdbHashValues(buf: Buffer, onError: (msg: string) => void): Buffer[] {
  if (!isBdbHash(buf)) throw new Error('not a Berkeley DB hash file');
  const le = buf.readUInt32LE(12) === HASH_MAGIC;
  const u32 = (o: number) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const u16 = (o: number) => (le ? buf.readUInt16LE(o) : buf.readUInt16BE(o));
  const pageSize = u32(20);
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) throw new Error(`bad page size ${pageSize}`);
  const pages = Math.min(u32(32) + 1, Math.floor(buf.length / pageSize));
  const values: Buffer[] = [];
  // A real database never shares an overflow page between values; refusing reuse bounds the
  // work and memory a hostile file can cause to its own size.
  const used = new Set<number>();
  for (let pg = 1; pg < pages; pg++) {
    const start = pg * pageSize;
    const type = buf[start + 25];
    if (type !== P_HASH && type !== P_HASH_UNSORTED) continue;
    const entries = u16(start + 20);
    for (let i = 1; i < entries; i += 2) {
      const idxPos = start + PAGE_HEADER + 2 * i;
      if (idxPos + 2 > start + pageSize) break;
      const itemOff = start + u16(idxPos);
      if (itemOff + 12 > start + pageSize || buf[itemOff] !== H_OFFPAGE) continue;
      const first = u32(itemOff + 4);
      const total = u32(itemOff + 8);
      try {
        values.push(readOverflow(buf, pageSize, first, total, used, u32, u16));
      } catch (err) {
        onError(`page ${pg} entry ${i}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }
  return values;
}

function readOverflow(
  buf: Buffer,
  pageSize: number,
  first: number,
  total: number,
  used: Set<number>,
  u32: (o: number) => number,
  u16: (o: number) => number,
): Buffer {
  if (total > buf.length) throw new Error('overflow length exceeds the file');
  const parts: Buffer[] = [];
  let got = 0;
  let pg = first;
  while (pg !== 0 && got < total) {
    if (used.has(pg)) throw new Error(`overflow page ${pg} used twice`);
    used.add(pg);
    const start = pg * pageSize;
    if (start + pageSize > buf.length) throw new Error(`overflow page ${pg} outside the file`);
    if (buf[start + 25] !== P_OVERFLOW) throw new Error(`page ${pg} is not an overflow page`);
    // On overflow pages the "free area offset" field holds the byte count stored on the page.
    const len = Math.min(u16(start + 22), pageSize - PAGE_HEADER, total - got);
    parts.push(buf.subarray(start + PAGE_HEADER, start + PAGE_HEADER + len));
    got += len;
    pg = u32(start + 16);
  }
  if (got < total) throw new Error('overflow chain shorter than the value');
  return Buffer.concat(parts);
}
