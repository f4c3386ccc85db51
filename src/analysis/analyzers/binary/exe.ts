/**
 * Just enough of ELF, PE and Mach-O to map virtual addresses to file offsets and to find named
 * sections (Go's pre-1.18 build info holds pointers; cargo-auditable data lives in a section).
 */

export interface Section {
  name: string;
  offset: number;
  size: number;
}

export interface Exe {
  format: 'elf' | 'pe' | 'macho';
  /** Reads `len` bytes at a virtual address, or undefined when unmapped. */
  read(addr: bigint, len: number): Buffer | undefined;
  sections: Section[];
}

interface Segment {
  vaddr: bigint;
  offset: number;
  size: number;
}

function mapper(buf: Buffer, segs: Segment[]): (addr: bigint, len: number) => Buffer | undefined {
  return (addr, len) => {
    for (const s of segs) {
      if (addr >= s.vaddr && addr + BigInt(len) <= s.vaddr + BigInt(s.size)) {
        const off = s.offset + Number(addr - s.vaddr);
        if (off + len > buf.length) return undefined;
        return buf.subarray(off, off + len);
      }
    }
    return undefined;
  };
}

function elf(buf: Buffer): Exe {
  const is64 = buf[4] === 2;
  const le = buf[5] === 1;
  const u16 = (o: number) => (le ? buf.readUInt16LE(o) : buf.readUInt16BE(o));
  const u32 = (o: number) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const uN = (o: number): bigint => (is64 ? (le ? buf.readBigUInt64LE(o) : buf.readBigUInt64BE(o)) : BigInt(u32(o)));
  const phoff = Number(uN(is64 ? 32 : 28));
  const shoff = Number(uN(is64 ? 40 : 32));
  const phentsize = u16(is64 ? 54 : 42);
  const phnum = u16(is64 ? 56 : 44);
  const shentsize = u16(is64 ? 58 : 46);
  const shnum = u16(is64 ? 60 : 48);
  const shstrndx = u16(is64 ? 62 : 50);
  const segs: Segment[] = [];
  for (let i = 0; i < phnum && phoff + (i + 1) * phentsize <= buf.length; i++) {
    const p = phoff + i * phentsize;
    if (u32(p) !== 1) continue; // PT_LOAD
    const offset = Number(is64 ? uN(p + 8) : BigInt(u32(p + 4)));
    const vaddr = is64 ? uN(p + 16) : BigInt(u32(p + 8));
    const filesz = Number(is64 ? uN(p + 32) : BigInt(u32(p + 16)));
    segs.push({ vaddr, offset, size: filesz });
  }
  const sections: Section[] = [];
  if (shoff > 0 && shnum > 0 && shoff + shnum * shentsize <= buf.length && shstrndx < shnum) {
    const sh = (i: number) => shoff + i * shentsize;
    const strOff = Number(is64 ? uN(sh(shstrndx) + 24) : BigInt(u32(sh(shstrndx) + 16)));
    // Section 0 is the reserved null section.
    for (let i = 1; i < shnum; i++) {
      const s = sh(i);
      const nameOff = strOff + u32(s);
      const end = buf.indexOf(0, nameOff);
      if (nameOff >= buf.length || end < 0) continue;
      const type = u32(s + 4);
      const offset = Number(is64 ? uN(s + 24) : BigInt(u32(s + 16)));
      const size = type === 8 ? 0 : Number(is64 ? uN(s + 32) : BigInt(u32(s + 20))); // SHT_NOBITS
      sections.push({ name: buf.toString('latin1', nameOff, end), offset, size });
    }
  }
  return { format: 'elf', read: mapper(buf, segs), sections };
}

function pe(buf: Buffer): Exe {
  const peOff = buf.readUInt32LE(0x3c);
  if (peOff + 24 > buf.length || buf.toString('latin1', peOff, peOff + 4) !== 'PE\0\0') throw new Error('bad PE header');
  const nsec = buf.readUInt16LE(peOff + 6);
  const optSize = buf.readUInt16LE(peOff + 20);
  const opt = peOff + 24;
  const magic = buf.readUInt16LE(opt);
  const imageBase = magic === 0x20b ? buf.readBigUInt64LE(opt + 24) : BigInt(buf.readUInt32LE(opt + 28));
  const segs: Segment[] = [];
  const sections: Section[] = [];
  for (let i = 0; i < nsec; i++) {
    const s = opt + optSize + i * 40;
    if (s + 40 > buf.length) break;
    const name = buf.toString('latin1', s, s + 8).replace(/\0+$/, '');
    const vsize = buf.readUInt32LE(s + 8);
    const vaddr = buf.readUInt32LE(s + 12);
    const rawSize = buf.readUInt32LE(s + 16);
    const rawPtr = buf.readUInt32LE(s + 20);
    segs.push({ vaddr: imageBase + BigInt(vaddr), offset: rawPtr, size: Math.min(vsize || rawSize, rawSize) });
    sections.push({ name, offset: rawPtr, size: rawSize });
  }
  return { format: 'pe', read: mapper(buf, segs), sections };
}

function macho(buf: Buffer): Exe {
  const m = buf.readUInt32LE(0);
  const le = m === 0xfeedface || m === 0xfeedfacf;
  const is64 = m === 0xfeedfacf || m === 0xcffaedfe;
  const u32 = (o: number) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const u64 = (o: number) => (le ? buf.readBigUInt64LE(o) : buf.readBigUInt64BE(o));
  const ncmds = u32(16);
  let p = is64 ? 32 : 28;
  const segs: Segment[] = [];
  const sections: Section[] = [];
  for (let i = 0; i < ncmds && p + 8 <= buf.length; i++) {
    const cmd = u32(p);
    const size = u32(p + 4);
    if (size < 8) break;
    if (cmd === 0x19 && is64) {
      segs.push({ vaddr: u64(p + 24), offset: Number(u64(p + 40)), size: Number(u64(p + 48)) });
      const nsects = u32(p + 64);
      for (let k = 0; k < nsects; k++) {
        const s = p + 72 + k * 80;
        if (s + 80 > buf.length) break;
        sections.push({
          name: buf.toString('latin1', s, s + 16).replace(/\0+$/, ''),
          size: Number(u64(s + 40)),
          offset: u32(s + 48),
        });
      }
    } else if (cmd === 0x1 && !is64) {
      segs.push({ vaddr: BigInt(u32(p + 24)), offset: u32(p + 32), size: u32(p + 36) });
    }
    p += size;
  }
  return { format: 'macho', read: mapper(buf, segs), sections };
}

/** Parses the executable container, or returns undefined for anything that is not one. */
export function openExe(buf: Buffer): Exe | undefined {
  if (buf.length < 64) return undefined;
  if (buf.readUInt32BE(0) === 0x7f454c46) return elf(buf);
  if (buf[0] === 0x4d && buf[1] === 0x5a) return pe(buf);
  const m = buf.readUInt32LE(0);
  if (m === 0xfeedface || m === 0xfeedfacf || m === 0xcefaedfe || m === 0xcffaedfe) return macho(buf);
  return undefined;
}

export function isExecutableImage(buf: Buffer): boolean {
  if (buf.length < 4) return false;
  const be = buf.readUInt32BE(0);
  const le = buf.readUInt32LE(0);
  return (
    be === 0x7f454c46 ||
    (buf[0] === 0x4d && buf[1] === 0x5a) ||
    [0xfeedface, 0xfeedfacf, 0xcefaedfe, 0xcffaedfe].includes(le)
  );
}
