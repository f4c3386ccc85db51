import Database from 'better-sqlite3';
import { TAG } from '../rpm/header.js';

/** Builders for rpm database fixtures (tests only). */
type Val = string | string[] | number[];

/** Writes an rpm header blob the way rpm stores it in its databases. */
export function headerBlob(tags: [number, Val][]): Buffer {
  const index: Buffer[] = [];
  const data: Buffer[] = [];
  let off = 0;
  for (const [tag, v] of tags) {
    let type: number;
    let count: number;
    let bytes: Buffer;
    if (typeof v === 'string') {
      [type, count, bytes] = [6, 1, Buffer.from(`${v}\0`)];
    } else if (typeof v[0] === 'string') {
      [type, count, bytes] = [8, v.length, Buffer.from((v as string[]).map((s) => `${s}\0`).join(''))];
    } else {
      const pad = (4 - (off % 4)) % 4;
      data.push(Buffer.alloc(pad));
      off += pad;
      bytes = Buffer.alloc(v.length * 4);
      (v as number[]).forEach((n, i) => bytes.writeUInt32BE(n, i * 4));
      [type, count] = [4, v.length];
    }
    const e = Buffer.alloc(16);
    e.writeUInt32BE(tag, 0);
    e.writeUInt32BE(type, 4);
    e.writeUInt32BE(off, 8);
    e.writeUInt32BE(count, 12);
    index.push(e);
    data.push(bytes);
    off += bytes.length;
  }
  const head = Buffer.alloc(8);
  head.writeUInt32BE(tags.length, 0);
  head.writeUInt32BE(off, 4);
  return Buffer.concat([head, ...index, ...data]);
}

export const BASH = headerBlob([
  [TAG.NAME, 'bash'],
  [TAG.VERSION, '5.1.8'],
  [TAG.RELEASE, '9.el9'],
  [TAG.ARCH, 'x86_64'],
  [TAG.SOURCERPM, 'bash-5.1.8-9.el9.src.rpm'],
  [TAG.LICENSE, 'GPLv3+'],
  [TAG.VENDOR, 'Rocky Enterprise Software Foundation'],
  [TAG.DIRINDEXES, [0, 1]],
  [TAG.BASENAMES, ['bash', 'bash.1.gz']],
  [TAG.DIRNAMES, ['/usr/bin/', '/usr/share/man/man1/']],
]);
export const OPENSSL = headerBlob([
  [TAG.NAME, 'openssl-libs'],
  [TAG.VERSION, '3.0.7'],
  [TAG.RELEASE, '24.el9'],
  [TAG.EPOCH, [1]],
  [TAG.ARCH, 'x86_64'],
  [TAG.SOURCERPM, 'openssl-3.0.7-24.el9.src.rpm'],
]);
export const KEY = headerBlob([
  [TAG.NAME, 'gpg-pubkey'],
  [TAG.VERSION, 'abc'],
  [TAG.RELEASE, '1'],
]);
export const ROCKY = { family: 'rocky', name: 'Rocky Linux', release: '9' };

/** A Berkeley DB hash file: meta page, one hash page, values on overflow pages (small pages force chains). */
export function bdbFile(values: Buffer[], pageSize = 512): Buffer {
  const pages: Buffer[] = [Buffer.alloc(pageSize), Buffer.alloc(pageSize)];
  const hash = pages[1]!;
  hash[25] = 13;
  hash.writeUInt16LE(values.length * 2, 20);
  let itemEnd = pageSize;
  values.forEach((v, i) => {
    let first = 0;
    let prev: Buffer | undefined;
    for (let o = 0; o < v.length; o += pageSize - 26) {
      const chunk = v.subarray(o, o + pageSize - 26);
      const pg = Buffer.alloc(pageSize);
      pg[25] = 7;
      pg.writeUInt16LE(chunk.length, 22);
      chunk.copy(pg, 26);
      const no = pages.length;
      pages.push(pg);
      if (prev) prev.writeUInt32LE(no, 16);
      else first = no;
      prev = pg;
    }
    // key item (H_KEYDATA, 4-byte record number), then value item (H_OFFPAGE)
    itemEnd -= 5;
    hash[itemEnd] = 1;
    hash.writeUInt32LE(i + 1, itemEnd + 1);
    hash.writeUInt16LE(itemEnd, 26 + 4 * i);
    itemEnd -= 12;
    hash[itemEnd] = 3;
    hash.writeUInt32LE(first, itemEnd + 4);
    hash.writeUInt32LE(v.length, itemEnd + 8);
    hash.writeUInt16LE(itemEnd, 26 + 4 * i + 2);
  });
  const meta = pages[0]!;
  meta.writeUInt32LE(0x061561, 12);
  meta.writeUInt32LE(9, 16);
  meta.writeUInt32LE(pageSize, 20);
  meta[25] = 8;
  meta.writeUInt32LE(pages.length - 1, 32);
  return Buffer.concat(pages);
}

export function ndbFile(values: Buffer[]): Buffer {
  const slots = Buffer.alloc(4096);
  slots.writeUInt32LE(0x506d7052, 0);
  slots.writeUInt32LE(0, 4);
  slots.writeUInt32LE(1, 8);
  slots.writeUInt32LE(1, 12);
  for (let pos = 32; pos < 4096; pos += 16) slots.writeUInt32LE(0x746f6c53, pos);
  const blobs: Buffer[] = [];
  let off = 4096;
  values.forEach((v, i) => {
    const pos = 32 + i * 16;
    slots.writeUInt32LE(i + 1, pos + 4);
    slots.writeUInt32LE(off / 16, pos + 8);
    const len = Math.ceil((16 + v.length) / 16) * 16;
    slots.writeUInt32LE(len / 16, pos + 12);
    const b = Buffer.alloc(len);
    b.writeUInt32LE(0x53626c42, 0);
    b.writeUInt32LE(i + 1, 4);
    b.writeUInt32LE(v.length, 12);
    v.copy(b, 16);
    blobs.push(b);
    off += len;
  });
  return Buffer.concat([slots, ...blobs]);
}

export function sqliteFile(values: Buffer[], wal = false): Buffer {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)');
  const ins = db.prepare('INSERT INTO Packages (blob) VALUES (?)');
  for (const v of values) ins.run(v);
  const buf = db.serialize();
  db.close();
  if (wal) {
    buf[18] = 2;
    buf[19] = 2;
  }
  return buf;
}
