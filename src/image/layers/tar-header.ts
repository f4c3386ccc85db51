/**
 * Decoding of tar header blocks (ustar, GNU and PAX), with exactly the semantics of tar-stream 3
 * (which the layer reader used before; layers must keep giving the same entries). The reader walks
 * headers itself because tar-stream's per-entry stream objects cost more than decompression.
 */

export type TarType =
  | 'file'
  | 'link'
  | 'symlink'
  | 'character-device'
  | 'block-device'
  | 'directory'
  | 'fifo'
  | 'contiguous-file'
  | 'pax-header'
  | 'pax-global-header'
  | 'gnu-long-link-path'
  | 'gnu-long-path';

export interface TarHeader {
  name: string;
  /** null when the header has no link name. */
  linkname: string | null;
  /**
   * Numeric fields are NaN for unparsable octal text and null for a malformed base-256 field
   * (as in tar-stream); the reader rejects a size that is not a number >= 0.
   */
  size: number | null;
  mode: number | null;
  uid: number | null;
  gid: number | null;
  /** Seconds since the epoch. */
  mtime: number | null;
  /** null for type flags tar-stream does not know (the reader treats them as files, as before). */
  type: TarType | null;
}

/** The PAX records the reader applies (tar-stream applies only these three). */
export interface PaxRecords {
  path?: string;
  linkpath?: string;
  size?: string;
}

export const BLOCK = 512;
/** Largest GNU long-name or PAX header accepted (tar-stream's bound). */
export const MAX_META_HEADER = 4 * 1024 * 1024;

export const MSG_BAD_CHECKSUM = 'Invalid tar header. Maybe the tar is corrupted or it needs to be gunzipped?';
export const MSG_UNKNOWN_FORMAT = 'Invalid tar header: unknown format.';

const TYPES: (TarType | null)[] = [];
for (const [flag, type] of [
  [0, 'file'],
  [1, 'link'],
  [2, 'symlink'],
  [3, 'character-device'],
  [4, 'block-device'],
  [5, 'directory'],
  [6, 'fifo'],
  [7, 'contiguous-file'],
  [72, 'pax-header'],
  [55, 'pax-global-header'],
  [27, 'gnu-long-link-path'],
  [28, 'gnu-long-path'],
  [30, 'gnu-long-path'],
] as const) {
  TYPES[flag] = type;
}

/** Bytes `start..end` up to the first NUL, as UTF-8. */
function str(buf: Buffer, start: number, end: number): string {
  let stop = start;
  while (stop < end && buf[stop] !== 0) stop++;
  return buf.toString('utf8', start, stop);
}

function parse256(buf: Buffer, start: number, end: number): number | null {
  const positive = buf[start] === 0x80;
  if (!positive && buf[start] !== 0xff) return null;
  let sum = 0;
  let scale = 1;
  for (let i = end - 1; i > start; i--) {
    const byte = buf[i]!;
    sum += (positive ? byte : 0xff - byte) * scale;
    scale *= 256;
  }
  return positive ? sum : -1 * sum;
}

/** A numeric field: octal text (leading spaces and NULs skipped, ends at a space) or base-256. */
function num(buf: Buffer, start: number, length: number): number | null {
  const end = start + length;
  if (buf[start]! & 0x80) return parse256(buf, start, end);
  let i = start;
  while (i < end && buf[i] === 32) i++;
  let stop = i;
  while (stop < end && buf[stop] !== 32) stop++;
  while (i < stop && buf[i] === 0) i++;
  if (i === stop) return 0;
  // Fast path: octal digits up to a NUL or the end. Anything else gets parseInt's exact rules.
  let value = 0;
  let j = i;
  for (; j < stop; j++) {
    const c = buf[j]!;
    if (c < 48 || c > 55) break;
    value = value * 8 + (c - 48);
  }
  if (j > i && (j === stop || buf[j] === 0)) return value;
  return parseInt(buf.toString('utf8', i, stop), 8);
}

function checksum(buf: Buffer, at: number): number {
  let sum = 8 * 32;
  for (let i = at, end = at + 148; i < end; i++) sum += buf[i]!;
  for (let i = at + 156, end = at + BLOCK; i < end; i++) sum += buf[i]!;
  return sum;
}

/**
 * Decodes the 512-byte header block at `at`. Returns null for an all-zero block (end-of-archive
 * padding, skipped like tar-stream does); throws on a bad checksum or an unknown format.
 */
export function decodeHeader(buf: Buffer, at = 0): TarHeader | null {
  const sum = checksum(buf, at);
  if (sum === 8 * 32) return null;
  if (sum !== num(buf, at + 148, 8)) throw new Error(MSG_BAD_CHECKSUM);
  // Magic "ustar\0" (POSIX) or "ustar " + " \0" (GNU).
  const m = at + 257;
  const ustarish = buf[m] === 0x75 && buf[m + 1] === 0x73 && buf[m + 2] === 0x74 && buf[m + 3] === 0x61 && buf[m + 4] === 0x72;
  const posix = ustarish && buf[m + 5] === 0;
  const gnu = ustarish && buf[m + 5] === 0x20 && buf[m + 6] === 0x20 && buf[m + 7] === 0;
  if (!posix && !gnu) throw new Error(MSG_UNKNOWN_FORMAT);

  // tar-stream derives the type before its "trailing slash means directory" fix-up, so such
  // entries stay files (the reader's results must not change).
  const flag = buf[at + 156] === 0 ? 0 : buf[at + 156]! - 48;
  let name = str(buf, at, at + 100);
  if (posix && buf[at + 345] !== 0) name = `${str(buf, at + 345, at + 500)}/${name}`;
  return {
    name,
    linkname: buf[at + 157] === 0 ? null : str(buf, at + 157, at + 257),
    size: num(buf, at + 124, 12),
    mode: num(buf, at + 100, 8),
    uid: num(buf, at + 108, 8),
    gid: num(buf, at + 116, 8),
    mtime: num(buf, at + 136, 12),
    type: (flag >= 0 ? TYPES[flag] : undefined) ?? null,
  };
}

/** A GNU long name or link ('L'/'K' entries): the content up to the first NUL. */
export function decodeLongPath(buf: Buffer): string {
  return str(buf, 0, buf.length);
}

/** PAX extended header records ("<len> <key>=<value>\n"...): the ones the reader applies. */
export function decodePax(buf: Buffer): PaxRecords {
  const out: PaxRecords = {};
  while (buf.length > 0) {
    let i = 0;
    while (i < buf.length && buf[i] !== 32) i++;
    const len = parseInt(buf.toString('utf8', 0, i), 10);
    // tar-stream stops at a zero or unparsable length; a negative one would make it loop.
    if (!(len > 0)) return out;
    const record = buf.subarray(i + 1, len - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq === -1) return out;
    const key = record.slice(0, eq);
    if (key === 'path' || key === 'linkpath' || key === 'size') out[key] = record.slice(eq + 1);
    buf = buf.subarray(len);
  }
  return out;
}

/** A per-entry PAX header over the global one (keys of the entry's header win). */
export function mergePax(global: PaxRecords | null, local: PaxRecords): PaxRecords {
  return global === null ? local : { ...global, ...local };
}
