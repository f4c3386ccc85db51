/**
 * Hand-built tar headers for tests: GNU long names, PAX records and damaged fields that
 * tar-stream's packer does not write.
 */
export type Magic = 'ustar' | 'gnu' | 'v7';

export interface RawHeader {
  name: string;
  size?: number;
  /** Type flag character ('0' file, '5' dir, 'L' GNU long name, 'x' PAX, 'g' global PAX...). */
  flag?: string;
  magic?: Magic;
  linkname?: string;
  mode?: number;
  /** Raw bytes for the 12-byte size field (e.g. base-256), instead of octal text. */
  sizeField?: Buffer;
}

/** One 512-byte header block with a valid checksum. */
export function rawHeader(h: RawHeader): Buffer {
  const b = Buffer.alloc(512);
  b.write(h.name.slice(0, 100), 0);
  b.write(`${(h.mode ?? 0o644).toString(8).padStart(7, '0')}\0`, 100);
  b.write('0000000\0', 108);
  b.write('0000000\0', 116);
  if (h.sizeField) h.sizeField.copy(b, 124, 0, 12);
  else b.write(`${(h.size ?? 0).toString(8).padStart(11, '0')}\0`, 124);
  b.write('14000000000\0', 136);
  b.write(h.flag ?? '0', 156);
  if (h.linkname) b.write(h.linkname.slice(0, 100), 157);
  if ((h.magic ?? 'ustar') === 'ustar') {
    b.write('ustar\0', 257);
    b.write('00', 263);
  } else if (h.magic === 'gnu') b.write('ustar  \0', 257);
  return withChecksum(b);
}

export function withChecksum(block: Buffer): Buffer {
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return block;
}

/** Content padded to whole blocks. */
export function padded(body: Buffer | string): Buffer {
  const b = typeof body === 'string' ? Buffer.from(body) : body;
  return Buffer.concat([b, Buffer.alloc((512 - (b.length % 512)) % 512)]);
}

/** PAX extended header content ("<len> key=value\n" records). */
export function paxRecords(records: Record<string, string>): Buffer {
  return Buffer.from(
    Object.entries(records)
      .map(([k, v]) => {
        const rest = ` ${k}=${v}\n`;
        let len = Buffer.byteLength(rest) + 1;
        while (String(len).length + Buffer.byteLength(rest) !== len) len++;
        return `${len}${rest}`;
      })
      .join(''),
  );
}

/** A header entry plus its padded content. */
export function rawEntry(h: RawHeader, body: Buffer | string = ''): Buffer {
  const b = typeof body === 'string' ? Buffer.from(body) : body;
  return Buffer.concat([rawHeader({ size: b.length, ...h }), padded(b)]);
}

export const END = Buffer.alloc(1024);
