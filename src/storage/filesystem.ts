import { randomBytes } from 'node:crypto';
import { mkdir, open, opendir, readFile, rename, rm, stat, unlink, writeFile, lstat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import {
  BlobNotFoundError,
  UploadExistsError,
  UploadNotFoundError,
  type BlobStore,
  type ByteRange,
  type UploadInfo,
} from './blobstore.js';
import { FileRangeStream } from './file-stream.js';
import { KeyedMutex } from './mutex.js';
import { blobName, checkRange, checkUploadId, isUploadId } from './validate.js';

export interface FilesystemBlobStoreOptions {
  /**
   * cleanup() removes temporary entries untouched for this long (default 15 minutes). Entries
   * this store instance is still writing are never removed; the delay protects other processes
   * sharing the directory.
   */
  staleAfterMs?: number;
  /** fsync blobs and their directory before they become visible (default true). */
  fsync?: boolean;
}

const HEX_LEN = { sha256: 64, sha512: 128 } as const;
// Appends gather this many bytes of chunks into one writev call.
const WRITE_BATCH = 1024 * 1024;

function code(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | null)?.code;
}

/**
 * Content-addressed blobs on a local (or shared POSIX) filesystem:
 *
 *   ROOT/blobs/<alg>/<first two hex>/<hex>    committed blobs
 *   ROOT/uploads/<id>/{data,startedat}        upload sessions
 *   ROOT/tmp/<pid>-<random>                   files and directories being built
 *
 * Everything becomes visible by rename(2) from ROOT/tmp, which is atomic on one filesystem, so a
 * crash leaves at worst an entry under tmp/ that cleanup() removes.
 */
export class FilesystemBlobStore implements BlobStore {
  readonly kind = 'filesystem';
  private readonly blobsDir: string;
  private readonly uploadsDir: string;
  private readonly tmpDir: string;
  private readonly staleAfterMs: number;
  private readonly fsync: boolean;
  private readonly active = new Set<string>();
  private readonly locks = new KeyedMutex();

  private constructor(
    readonly root: string,
    options: FilesystemBlobStoreOptions,
  ) {
    this.blobsDir = join(root, 'blobs');
    this.uploadsDir = join(root, 'uploads');
    this.tmpDir = join(root, 'tmp');
    this.staleAfterMs = options.staleAfterMs ?? 15 * 60_000;
    this.fsync = options.fsync ?? true;
  }

  /** Opens (creating its directories if needed) a store rooted at `root`. */
  static async open(root: string, options: FilesystemBlobStoreOptions = {}): Promise<FilesystemBlobStore> {
    const store = new FilesystemBlobStore(root, options);
    for (const dir of [store.blobsDir, store.uploadsDir, store.tmpDir]) await mkdir(dir, { recursive: true });
    return store;
  }

  blobPath(digest: string): string {
    const { algorithm, hex } = blobName(digest);
    return join(this.blobsDir, algorithm, hex.slice(0, 2), hex);
  }

  async stat(digest: string): Promise<number | undefined> {
    const path = this.blobPath(digest);
    try {
      const st = await stat(path);
      return st.isFile() ? st.size : undefined;
    } catch (err) {
      if (code(err) === 'ENOENT' || code(err) === 'ENOTDIR') return undefined;
      throw err;
    }
  }

  async read(digest: string, range?: ByteRange): Promise<Readable> {
    const path = this.blobPath(digest);
    let fh: FileHandle;
    try {
      fh = await open(path, 'r');
    } catch (err) {
      if (code(err) === 'ENOENT' || code(err) === 'ENOTDIR') throw new BlobNotFoundError(digest);
      throw err;
    }
    // A whole read needs no stat: open + read is the shortest path. The handle (not the path)
    // is read, so a concurrent delete cannot turn a found blob into a failed stream.
    if (!range) return new FileRangeStream(fh, 0, Infinity);
    try {
      const { size } = await fh.stat();
      checkRange(range, size);
    } catch (err) {
      await fh.close();
      throw err;
    }
    return new FileRangeStream(fh, range.start, range.end + 1);
  }

  async put(digest: string, data: Uint8Array): Promise<void> {
    const dest = this.blobPath(digest);
    await this.withTemp(async (tmp) => {
      const fh = await open(tmp, 'wx', 0o644);
      try {
        await fh.writeFile(data);
        if (this.fsync) await fh.sync();
      } finally {
        await fh.close();
      }
      await this.renameInto(tmp, dest);
    });
  }

  async delete(digest: string): Promise<boolean> {
    try {
      await unlink(this.blobPath(digest));
      return true;
    } catch (err) {
      if (code(err) === 'ENOENT' || code(err) === 'ENOTDIR') return false;
      throw err;
    }
  }

  async *list(): AsyncIterable<string> {
    for (const algorithm of ['sha256', 'sha512'] as const) {
      const hexRe = new RegExp(`^[a-f0-9]{${HEX_LEN[algorithm]}}$`);
      for await (const shard of dirEntries(join(this.blobsDir, algorithm))) {
        if (!/^[a-f0-9]{2}$/.test(shard)) continue;
        for await (const name of dirEntries(join(this.blobsDir, algorithm, shard))) {
          if (hexRe.test(name) && name.startsWith(shard)) yield `${algorithm}:${name}`;
        }
      }
    }
  }

  async startUpload(id: string): Promise<void> {
    const dest = this.uploadDir(id);
    await this.withTemp(async (tmp) => {
      await mkdir(tmp);
      await writeFile(join(tmp, 'data'), '', { flag: 'wx' });
      await writeFile(join(tmp, 'startedat'), String(Date.now()), { flag: 'wx' });
      try {
        // rename(2) refuses to replace a non-empty directory, and a live upload is never empty.
        await rename(tmp, dest);
      } catch (err) {
        if (code(err) === 'EEXIST' || code(err) === 'ENOTEMPTY') throw new UploadExistsError(id);
        throw err;
      }
    });
  }

  async appendUpload(id: string, data: Readable): Promise<number> {
    const path = join(this.uploadDir(id), 'data');
    return this.locks.run(id, async () => {
      let fh: FileHandle;
      try {
        fh = await open(path, 'r+');
      } catch (err) {
        if (code(err) === 'ENOENT') throw new UploadNotFoundError(id);
        throw err;
      }
      const before = (await fh.stat()).size;
      let pos = before;
      try {
        let batch: Buffer[] = [];
        let batched = 0;
        for await (const chunk of data) {
          const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
          batch.push(buf);
          batched += buf.length;
          if (batched >= WRITE_BATCH) {
            pos += await writeAll(fh, batch, pos);
            batch = [];
            batched = 0;
          }
        }
        if (batched > 0) pos += await writeAll(fh, batch, pos);
      } catch (err) {
        // A failed chunk leaves the upload as it was, so the client can retry it from `before`.
        await fh.truncate(before).catch(() => undefined);
        await fh.close();
        throw err;
      }
      await fh.close();
      return pos;
    });
  }

  async uploadSize(id: string): Promise<number | undefined> {
    try {
      return (await stat(join(this.uploadDir(id), 'data'))).size;
    } catch (err) {
      if (code(err) === 'ENOENT') return undefined;
      throw err;
    }
  }

  async readUpload(id: string): Promise<Readable> {
    try {
      const fh = await open(join(this.uploadDir(id), 'data'), 'r');
      return fh.createReadStream();
    } catch (err) {
      if (code(err) === 'ENOENT') throw new UploadNotFoundError(id);
      throw err;
    }
  }

  async commitUpload(id: string, digest: string): Promise<void> {
    const dir = this.uploadDir(id);
    const dest = this.blobPath(digest);
    await this.locks.run(id, () =>
      this.withTemp(async (claimed) => {
        // Claiming the whole directory first makes a second commit or a cancel of the same
        // upload see "not found" instead of half a commit.
        try {
          await rename(dir, claimed);
        } catch (err) {
          if (code(err) === 'ENOENT') throw new UploadNotFoundError(id);
          throw err;
        }
        try {
          const data = join(claimed, 'data');
          if (this.fsync) {
            const fh = await open(data, 'r');
            try {
              await fh.sync();
            } finally {
              await fh.close();
            }
          }
          // Same digest committed twice: rename replaces one complete file with an identical one.
          await this.renameInto(data, dest);
        } catch (err) {
          await rename(claimed, dir).catch(() => undefined);
          throw err;
        }
        await rm(claimed, { recursive: true, force: true });
      }),
    );
  }

  async cancelUpload(id: string): Promise<boolean> {
    const dir = this.uploadDir(id);
    return this.locks.run(id, () =>
      this.withTemp(async (claimed) => {
        try {
          await rename(dir, claimed);
        } catch (err) {
          if (code(err) === 'ENOENT') return false;
          throw err;
        }
        await rm(claimed, { recursive: true, force: true });
        return true;
      }),
    );
  }

  async *listUploads(): AsyncIterable<UploadInfo> {
    for await (const id of dirEntries(this.uploadsDir)) {
      if (!isUploadId(id)) continue;
      const dir = join(this.uploadsDir, id);
      let size: number;
      let startedAt: Date;
      try {
        size = (await stat(join(dir, 'data'))).size;
        const ms = Number(await readFile(join(dir, 'startedat'), 'utf8'));
        startedAt = Number.isFinite(ms) && ms > 0 ? new Date(ms) : (await stat(dir)).mtime;
      } catch (err) {
        if (code(err) === 'ENOENT') continue; // committed or cancelled meanwhile
        throw err;
      }
      yield { id, size, startedAt };
    }
  }

  async cleanup(): Promise<void> {
    const now = Date.now();
    for await (const name of dirEntries(this.tmpDir)) {
      if (this.active.has(name)) continue;
      const path = join(this.tmpDir, name);
      try {
        const st = await lstat(path);
        // ctime moves on every write and rename, so it tells whether anyone still works on it.
        if (now - Math.max(st.mtimeMs, st.ctimeMs) < this.staleAfterMs) continue;
        await rm(path, { recursive: true, force: true });
      } catch (err) {
        if (code(err) !== 'ENOENT') throw err;
      }
    }
  }

  async close(): Promise<void> {}

  /** Directory where temporary entries are built (exposed for crash-simulation tests). */
  get tempDirectory(): string {
    return this.tmpDir;
  }

  private uploadDir(id: string): string {
    return join(this.uploadsDir, checkUploadId(id));
  }

  private async withTemp<T>(fn: (path: string) => Promise<T>): Promise<T> {
    const name = `${process.pid}-${randomBytes(12).toString('hex')}`;
    const path = join(this.tmpDir, name);
    this.active.add(name);
    try {
      return await fn(path);
    } catch (err) {
      await rm(path, { recursive: true, force: true }).catch(() => undefined);
      throw err;
    } finally {
      this.active.delete(name);
    }
  }

  /** rename(2) into the blob tree, creating the shard directory on first use. */
  private async renameInto(src: string, dest: string): Promise<void> {
    const dir = dirname(dest);
    try {
      await rename(src, dest);
    } catch (err) {
      if (code(err) !== 'ENOENT') throw err;
      await mkdir(dir, { recursive: true });
      await rename(src, dest);
    }
    if (this.fsync) {
      const dh = await open(dir, 'r');
      try {
        await dh.sync();
      } finally {
        await dh.close();
      }
    }
  }
}

async function writeAll(fh: FileHandle, buffers: Buffer[], position: number): Promise<number> {
  let written = 0;
  let pending = buffers;
  while (pending.length > 0) {
    const { bytesWritten } = await fh.writev(pending, position + written);
    written += bytesWritten;
    pending = dropBytes(pending, bytesWritten);
  }
  return written;
}

/** The buffers left after the first `n` bytes were written (writev may write partially). */
function dropBytes(buffers: Buffer[], n: number): Buffer[] {
  const out: Buffer[] = [];
  let skip = n;
  for (const b of buffers) {
    if (skip >= b.length) {
      skip -= b.length;
      continue;
    }
    out.push(skip > 0 ? b.subarray(skip) : b);
    skip = 0;
  }
  return out;
}

async function* dirEntries(dir: string): AsyncIterable<string> {
  let handle;
  try {
    handle = await opendir(dir);
  } catch (err) {
    if (code(err) === 'ENOENT') return;
    throw err;
  }
  for await (const entry of handle) yield entry.name;
}
