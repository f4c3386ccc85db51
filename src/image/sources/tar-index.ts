import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import * as tar from 'tar-stream';
import { normalisePath } from '../layers/path.js';
import { SourceError } from './types.js';

export interface TarMember {
  /** Byte offset of the content in the archive file. */
  offset: number;
  size: number;
}

/**
 * Random access into an uncompressed tar file (oci-archive, docker-archive): one sequential pass
 * records where each regular file's content starts; later reads are ranged file reads.
 */
export class TarFileIndex {
  private constructor(
    readonly file: string,
    private readonly members: Map<string, TarMember>,
  ) {}

  static async build(file: string, maxEntries = 1_000_000): Promise<TarFileIndex> {
    await assertUncompressed(file);
    const members = new Map<string, TarMember>();
    const extract = tar.extract();
    const input = createReadStream(file);
    input.on('error', (err) => extract.destroy(err));
    input.pipe(extract);
    try {
      for await (const entry of extract) {
        const h = entry.header;
        if (h.type === 'file' || h.type === 'contiguous-file') {
          // The entry's offset is where its own header starts (after any pax/GNU long-name headers).
          members.set(normalisePath(h.name), { offset: entry.offset + 512, size: h.size });
        } else if (h.type === 'symlink' || h.type === 'link') {
          const target = members.get(normalisePath(h.linkname, h.type === 'symlink' ? dirOf(normalisePath(h.name)) : '/'));
          if (target) members.set(normalisePath(h.name), target);
        }
        if (members.size > maxEntries) throw new SourceError(`${file} has more than ${maxEntries} entries`);
        entry.resume();
      }
    } catch (err) {
      input.destroy();
      if (err instanceof SourceError) throw err;
      throw new SourceError(`${file} is not a readable tar archive: ${(err as Error).message}`, { cause: err });
    }
    return new TarFileIndex(file, members);
  }

  has(name: string): boolean {
    return this.members.has(normalisePath(name));
  }

  get(name: string): TarMember | undefined {
    return this.members.get(normalisePath(name));
  }

  names(): string[] {
    return [...this.members.keys()];
  }

  open(name: string): Readable {
    const m = this.get(name);
    if (!m) throw new SourceError(`${name} not found in ${this.file}`);
    if (m.size === 0) return createReadStream(this.file, { start: 0, end: -1 });
    return createReadStream(this.file, { start: m.offset, end: m.offset + m.size - 1 });
  }

  async readSmall(name: string, max: number): Promise<Buffer> {
    const m = this.get(name);
    if (!m) throw new SourceError(`${name} not found in ${this.file}`);
    if (m.size > max) throw new SourceError(`${name} in ${this.file} is larger than ${max} bytes`);
    const fh = await open(this.file, 'r');
    try {
      const buf = Buffer.alloc(m.size);
      await fh.read(buf, 0, m.size, m.offset);
      return buf;
    } finally {
      await fh.close();
    }
  }
}

function dirOf(p: string): string {
  const i = p.lastIndexOf('/');
  return i <= 0 ? '/' : p.slice(0, i);
}

async function assertUncompressed(file: string): Promise<void> {
  let fh;
  try {
    fh = await open(file, 'r');
  } catch (err) {
    throw new SourceError(`cannot open ${file}: ${(err as Error).message}`, { cause: err });
  }
  try {
    const head = Buffer.alloc(4);
    await fh.read(head, 0, 4, 0);
    if ((head[0] === 0x1f && head[1] === 0x8b) || head.readUInt32LE(0) === 0xfd2fb528) {
      throw new SourceError(`${file} is compressed; decompress the archive first (only plain tar archives are read in place)`);
    }
  } finally {
    await fh.close();
  }
}
