import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import * as tar from 'tar-stream';

/** A tar entry for test fixtures: content as a string/buffer, or a size of zero bytes streamed lazily. */
export interface FixtureEntry {
  name: string;
  type?: tar.Header['type'];
  content?: string | Buffer;
  zeros?: number;
  mode?: number;
  uid?: number;
  gid?: number;
  linkname?: string;
}

/** Builds an uncompressed tar in memory (tests only; the reader itself never buffers a layer). */
export async function makeTar(entries: FixtureEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  const out: Buffer[] = [];
  const done = (async () => {
    for await (const chunk of pack) out.push(chunk as Buffer);
  })();
  for (const e of entries) {
    const header: tar.Header = {
      name: e.name,
      type: e.type ?? 'file',
      mode: e.mode ?? (e.type === 'directory' ? 0o755 : 0o644),
      uid: e.uid ?? 0,
      gid: e.gid ?? 0,
      mtime: new Date(1_700_000_000_000),
      linkname: e.linkname ?? '',
      size: 0,
      uname: '',
      gname: '',
      devmajor: 0,
      devminor: 0,
    };
    if (e.zeros !== undefined) {
      header.size = e.zeros;
      await new Promise<void>((resolve, reject) => {
        const sink = pack.entry(header, (err) => (err ? reject(err) : resolve()));
        const block = Buffer.alloc(64 * 1024);
        let left = e.zeros!;
        const pump = () => {
          while (left > 0) {
            const n = Math.min(left, block.length);
            left -= n;
            if (!sink.write(block.subarray(0, n))) return void sink.once('drain', pump);
          }
          sink.end(Buffer.alloc(0));
        };
        pump();
      });
    } else {
      const body = typeof e.content === 'string' ? Buffer.from(e.content) : (e.content ?? Buffer.alloc(0));
      const cb = (resolve: () => void, reject: (e: Error) => void) => (err?: Error | null) =>
        err ? reject(err) : resolve();
      await new Promise<void>((resolve, reject) => {
        if (e.type === undefined || e.type === 'file') pack.entry(header, body, cb(resolve, reject));
        else pack.entry(header, cb(resolve, reject));
      });
    }
  }
  pack.finalize();
  await done;
  return Buffer.concat(out);
}

export async function makeTarGz(entries: FixtureEntry[]): Promise<Buffer> {
  return gzipSync(await makeTar(entries));
}

/** A stream that delivers a buffer in small chunks, to exercise chunk boundaries. */
export function chunked(buf: Buffer, size = 1000): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) parts.push(buf.subarray(i, i + size));
  return Readable.from(parts);
}
