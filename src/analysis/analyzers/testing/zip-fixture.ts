import { deflateRawSync } from 'node:zlib';

/** Writes a zip archive (deflated entries, or stored when `store`), without CRCs (unchecked here). */
export function makeZip(files: Record<string, string | Buffer>, store = false, zip64 = false): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let off = 0;
  for (const [name, c] of Object.entries(files)) {
    const raw = typeof c === 'string' ? Buffer.from(c) : c;
    const data = store ? raw : deflateRawSync(raw);
    const n = Buffer.from(name);
    const lh = Buffer.alloc(30);
    lh.writeUInt32LE(0x04034b50, 0);
    lh.writeUInt16LE(store ? 0 : 8, 8);
    lh.writeUInt32LE(data.length, 18);
    lh.writeUInt32LE(raw.length, 22);
    lh.writeUInt16LE(n.length, 26);
    const ch = Buffer.alloc(46);
    ch.writeUInt32LE(0x02014b50, 0);
    ch.writeUInt16LE(store ? 0 : 8, 10);
    ch.writeUInt32LE(zip64 ? 0xffffffff : data.length, 20);
    ch.writeUInt32LE(zip64 ? 0xffffffff : raw.length, 24);
    ch.writeUInt16LE(n.length, 28);
    ch.writeUInt32LE(zip64 ? 0xffffffff : off, 42);
    const extra = Buffer.alloc(zip64 ? 28 : 0);
    if (zip64) {
      extra.writeUInt16LE(1, 0);
      extra.writeUInt16LE(24, 2);
      extra.writeBigUInt64LE(BigInt(raw.length), 4);
      extra.writeBigUInt64LE(BigInt(data.length), 12);
      extra.writeBigUInt64LE(BigInt(off), 20);
      ch.writeUInt16LE(extra.length, 30);
    }
    locals.push(lh, n, data);
    central.push(ch, n, extra);
    off += 30 + n.length + data.length;
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(files).length, 8);
  end.writeUInt16LE(Object.keys(files).length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(off, 16);
  if (!zip64) return Buffer.concat([...locals, cd, end]);
  end.writeUInt16LE(0xffff, 10);
  end.writeUInt32LE(0xffffffff, 16);
  const rec = Buffer.alloc(56);
  rec.writeUInt32LE(0x06064b50, 0);
  rec.writeBigUInt64LE(BigInt(Object.keys(files).length), 32);
  rec.writeBigUInt64LE(BigInt(off), 48);
  const loc = Buffer.alloc(20);
  loc.writeUInt32LE(0x07064b50, 0);
  loc.writeBigUInt64LE(BigInt(off + cd.length), 8);
  return Buffer.concat([...locals, cd, rec, loc, end]);
}
