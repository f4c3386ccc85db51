/** Builders for executable fixtures: minimal ELF files with Go build info (tests only). */
export const BASE = 0x400000n;
export const SENTINEL_START = Buffer.from('3077af0c9274080241e1c107e6d618e6', 'hex');
export const SENTINEL_END = Buffer.from('f932433186182072008242104116d8f2', 'hex');

export const MODINFO = [
  'path\texample.com/app/cmd/app',
  'mod\texample.com/app\t(devel)\t',
  'dep\tgolang.org/x/net\tv0.17.0\th1:abc=',
  'dep\tgithub.com/old/lib\tv1.0.0\th1:def=',
  '=>\tgithub.com/fork/lib\tv1.0.1\th1:ghi=',
  'dep\tgithub.com/local/lib\tv0.0.0',
  '=>\t../lib\t\t',
  'build\t-compiler=gc',
  'build\tGOOS=linux',
  '',
].join('\n');
export const MODINFO_WRAPPED = Buffer.concat([SENTINEL_START, Buffer.from(MODINFO), SENTINEL_END]).toString('latin1');

/**
 * A minimal little-endian ELF64: one PT_LOAD mapping the whole file at BASE, `payload` at file
 * offset 0x100, and optional named sections (with a section header string table).
 */
export function elf(payload: (base: number) => Buffer, sections: Record<string, Buffer> = {}): Buffer {
  const body = payload(0x100);
  const parts: Buffer[] = [Buffer.alloc(0x100), body];
  let off = 0x100 + body.length;
  const secs: { name: number; off: number; size: number }[] = [];
  let strtab = '\0';
  for (const [name, data] of Object.entries(sections)) {
    secs.push({ name: strtab.length, off, size: data.length });
    strtab += `${name}\0`;
    parts.push(data);
    off += data.length;
  }
  const shstrName = strtab.length;
  strtab += '.shstrtab\0';
  secs.push({ name: shstrName, off, size: strtab.length });
  parts.push(Buffer.from(strtab));
  off += strtab.length;
  const pad = (8 - (off % 8)) % 8;
  parts.push(Buffer.alloc(pad));
  off += pad;
  const shoff = off;
  const sh = Buffer.alloc(64 * (secs.length + 1));
  secs.forEach((s, i) => {
    const b = 64 * (i + 1);
    sh.writeUInt32LE(s.name, b);
    sh.writeUInt32LE(1, b + 4);
    sh.writeBigUInt64LE(BigInt(s.off), b + 24);
    sh.writeBigUInt64LE(BigInt(s.size), b + 32);
  });
  parts.push(sh);
  const file = Buffer.concat(parts);
  file.writeUInt32BE(0x7f454c46, 0);
  file[4] = 2;
  file[5] = 1;
  file[6] = 1;
  file.writeBigUInt64LE(64n, 32); // phoff
  file.writeBigUInt64LE(BigInt(shoff), 40);
  file.writeUInt16LE(56, 54);
  file.writeUInt16LE(1, 56);
  file.writeUInt16LE(64, 58);
  file.writeUInt16LE(secs.length + 1, 60);
  file.writeUInt16LE(secs.length, 62);
  file.writeUInt32LE(1, 64); // PT_LOAD
  file.writeBigUInt64LE(0n, 64 + 8);
  file.writeBigUInt64LE(BASE, 64 + 16);
  file.writeBigUInt64LE(BigInt(file.length), 64 + 32);
  return file;
}

export function varintString(s: string): Buffer {
  const b = Buffer.from(s, 'latin1');
  const len: number[] = [];
  let n = b.length;
  while (n >= 0x80) {
    len.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  len.push(n);
  return Buffer.concat([Buffer.from(len), b]);
}

export function header(ptrSize: number, flags: number): Buffer {
  const h = Buffer.alloc(32);
  h.write('\xff Go buildinf:', 0, 'latin1');
  h[14] = ptrSize;
  h[15] = flags;
  return h;
}

/** Go >= 1.18: version and modinfo inline after the header. */
export const inlineElf = () => elf(() => Buffer.concat([header(8, 2), varintString('go1.21.5'), varintString(MODINFO_WRAPPED)]));

/**
 * Go < 1.18: the header holds pointers to Go string headers {data, len}. `addr` maps an offset
 * within the payload to its virtual address.
 */
export function pointerPayload(addr: (off: number) => bigint): Buffer {
  const h = header(8, 0);
  const version = Buffer.from('go1.16.15');
  const mod = Buffer.from(MODINFO_WRAPPED, 'latin1');
  const strHdrs = Buffer.alloc(32);
  const verData = 32 + 32;
  const modData = verData + version.length;
  strHdrs.writeBigUInt64LE(addr(verData), 0);
  strHdrs.writeBigUInt64LE(BigInt(version.length), 8);
  strHdrs.writeBigUInt64LE(addr(modData), 16);
  strHdrs.writeBigUInt64LE(BigInt(mod.length), 24);
  h.writeBigUInt64LE(addr(32), 16);
  h.writeBigUInt64LE(addr(48), 24);
  return Buffer.concat([h, strHdrs, version, mod]);
}

export const pointerElf = () => elf((base) => pointerPayload((off) => BASE + BigInt(base + off)));

/** A minimal PE32+ file: headers, then one ".data" section (file offset 0x400, RVA 0x1000) holding `payload`. */
export function pe(payload: (addr: (off: number) => bigint) => Buffer): Buffer {
  const imageBase = 0x140000000n;
  const data = payload((off) => imageBase + 0x1000n + BigInt(off));
  const head = Buffer.alloc(0x400);
  head.write('MZ', 0, 'latin1');
  head.writeUInt32LE(0x40, 0x3c);
  head.write('PE\0\0', 0x40, 'latin1');
  head.writeUInt16LE(0x8664, 0x44);
  head.writeUInt16LE(1, 0x46); // sections
  head.writeUInt16LE(240, 0x54); // optional header size
  const opt = 0x58;
  head.writeUInt16LE(0x20b, opt);
  head.writeBigUInt64LE(imageBase, opt + 24);
  const sec = opt + 240;
  head.write('.data', sec, 'latin1');
  head.writeUInt32LE(data.length, sec + 8);
  head.writeUInt32LE(0x1000, sec + 12);
  head.writeUInt32LE(data.length, sec + 16);
  head.writeUInt32LE(0x400, sec + 20);
  return Buffer.concat([head, data]);
}

/** A minimal 64-bit Mach-O: one LC_SEGMENT_64 mapping the whole file at 0x100000000. */
export function macho(payload: (addr: (off: number) => bigint) => Buffer): Buffer {
  const vmBase = 0x100000000n;
  // Header (32) and one segment command (72), padded so the payload is 16-byte aligned.
  const headSize = 112;
  const data = payload((off) => vmBase + BigInt(headSize + off));
  const head = Buffer.alloc(headSize);
  head.writeUInt32LE(0xfeedfacf, 0);
  head.writeUInt32LE(1, 16); // ncmds
  head.writeUInt32LE(72, 20);
  head.writeUInt32LE(0x19, 32);
  head.writeUInt32LE(72, 36);
  head.write('__DATA', 40, 'latin1');
  head.writeBigUInt64LE(vmBase, 32 + 24);
  head.writeBigUInt64LE(BigInt(headSize + data.length), 32 + 32);
  head.writeBigUInt64LE(0n, 32 + 40);
  head.writeBigUInt64LE(BigInt(headSize + data.length), 32 + 48);
  return Buffer.concat([head, data]);
}
