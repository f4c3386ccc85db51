import { finished, pipeline, type Readable } from 'node:stream';
import { ByteQueue } from './byte-queue.js';
import { classifyLayerError, decompressStage, peekStream, sniffCompression, type Decoder } from './decompress.js';
import { normalisePath, whiteoutOf } from './path.js';
import type { TarHeader, TarType } from './tar-header.js';
import { NEED_MORE, TarWalk } from './tar-walk.js';
import {
  LayerLimitError,
  resolveLimits,
  type LayerCompression,
  type LayerEntry,
  type LayerEntryType,
  type LayerLimits,
  type LayerStats,
  type LayerWarning,
} from './types.js';

/** Decompressed bytes allowed to wait for the tar walker. */
const READ_AHEAD = 4 * 1024 * 1024;
const EMPTY = Buffer.alloc(0);

export interface ReadLayerOptions {
  compression?: LayerCompression;
  limits?: Partial<LayerLimits>;
  /** zstd decoder (default 'auto': the native `zstd` program when installed, else fzstd). */
  zstdDecoder?: Decoder;
  /** gzip decoder (default 'auto': ISA-L's `igzip` when installed, else node:zlib). */
  gzipDecoder?: Decoder;
}

/**
 * Reads a (compressed) layer tar as a stream of entries, without writing anything to disk.
 * A bound that is hit ends the iteration early and leaves a warning in `warnings`; a corrupt or
 * truncated stream rejects the iteration with LayerFormatError.
 */
export function readLayer(stream: Readable, opts: ReadLayerOptions = {}): LayerReader {
  return new LayerReader(stream, opts);
}

export class LayerReader implements AsyncIterable<LayerEntry> {
  readonly warnings: LayerWarning[] = [];
  readonly stats: LayerStats = { compressedBytes: 0, decompressedBytes: 0, entries: 0 };
  readonly limits: LayerLimits;
  /** The compression actually used (after sniffing for 'auto'). */
  compression: Exclude<LayerCompression, 'auto'> | undefined;
  /** True when a bound ended the iteration before the end of the layer. */
  stoppedByLimit = false;
  private started = false;

  constructor(
    private readonly stream: Readable,
    private readonly opts: ReadLayerOptions,
  ) {
    this.limits = resolveLimits(opts.limits);
  }

  [Symbol.asyncIterator](): AsyncIterator<LayerEntry> {
    if (this.started) throw new Error('a layer can be iterated only once');
    this.started = true;
    return this.iterate();
  }

  private limitHit(err: LayerLimitError): void {
    if (this.stoppedByLimit) return;
    this.stoppedByLimit = true;
    this.warnings.push({ code: err.code, message: err.message });
  }

  private checkOutput(n: number): void {
    const s = this.stats;
    const l = this.limits;
    s.decompressedBytes += n;
    if (s.decompressedBytes > l.maxTotalBytes) {
      throw new LayerLimitError('layer-size-limit', `layer decompresses to more than ${l.maxTotalBytes} bytes`);
    }
    if (s.decompressedBytes > l.ratioFloorBytes && s.decompressedBytes > l.maxRatio * Math.max(1, s.compressedBytes)) {
      throw new LayerLimitError(
        'decompression-ratio',
        `layer decompresses more than ${l.maxRatio} times its compressed size (decompression bomb?)`,
      );
    }
  }

  private async *iterate(): AsyncGenerator<LayerEntry, void, undefined> {
    let source = this.stream;
    let compression = this.opts.compression ?? 'auto';
    if (compression === 'auto') {
      const peeked = await peekStream(source, 4);
      source = peeked.stream;
      compression = sniffCompression(peeked.head);
    }
    this.compression = compression;
    const stats = this.stats;
    const stage = decompressStage(compression, this.limits.maxZstdWindow, (n) => this.checkOutput(n), {
      ...(this.opts.zstdDecoder ? { zstd: this.opts.zstdDecoder } : {}),
      ...(this.opts.gzipDecoder ? { gzip: this.opts.gzipDecoder } : {}),
    });
    const output = stage?.stream ?? source;
    const stop = () => {
      source.destroy();
      stage?.stream.destroy();
    };
    const queue = new ByteQueue(output, READ_AHEAD, stage?.meters ? undefined : (n) => this.checkOutput(n), (err) => {
      if (err instanceof LayerLimitError) this.limitHit(err);
      stop();
    });
    source.on('data', (chunk: { length: number }) => (stats.compressedBytes += chunk.length));
    const onDone = (err: Error | null | undefined) => {
      if (err) queue.fail(classifyLayerError(err));
    };
    // The pipeline reports errors of the source and the stage until the stage's input is done;
    // `finished` and the listener cover the output side after that (zstd's exit status comes last).
    if (stage) pipeline(source, stage.stream, onDone);
    finished(output, onDone);
    output.on('error', onDone);

    const walk = new TarWalk(queue);
    let complete = false;
    try {
      for (;;) {
        // Synchronous while bytes are waiting: an await per entry is a measurable share of the walk.
        let h = walk.tryNext();
        if (h === NEED_MORE) h = await walk.next();
        if (h === undefined) {
          complete = true;
          return;
        }
        if (++stats.entries > this.limits.maxEntries) {
          this.limitHit(new LayerLimitError('entry-limit', `layer has more than ${this.limits.maxEntries} entries`));
          return;
        }
        const name = h.name;
        const path = name.length > this.limits.maxPathLength * 4 ? '' : normalisePath(name);
        if (path === '' || path.length > this.limits.maxPathLength) {
          this.limitHit(
            new LayerLimitError('path-length', `layer entry path longer than ${this.limits.maxPathLength} bytes`),
          );
          return;
        }
        const handle = new EntryHandle(h, walk, this);
        yield new ReaderEntry(path, h, handle);
        handle.valid = false;
      }
    } catch (err) {
      const mapped = classifyLayerError(err);
      if (mapped instanceof LayerLimitError) {
        this.limitHit(mapped);
        return;
      }
      throw mapped;
    } finally {
      if (!complete) stop();
    }
  }

  /** @internal */
  noteTruncatedRead(path: string, size: number): void {
    this.warnings.push({
      code: 'file-read-limit',
      message: `read only the first ${this.limits.maxFileBytes} of ${size} bytes`,
      path,
    });
  }
}

function entryType(path: string, type: TarType | null): { type: LayerEntryType; path: string } {
  const wh = whiteoutOf(path);
  if (wh?.kind === 'opaque') return { type: 'opaque', path: wh.dir };
  if (wh?.kind === 'whiteout') return { type: 'whiteout', path: wh.target };
  if (wh?.kind === 'meta') return { type: 'other', path };
  switch (type) {
    case 'file':
    case 'contiguous-file':
    case null:
      return { type: 'file', path };
    case 'directory':
      return { type: 'dir', path };
    case 'symlink':
      return { type: 'symlink', path };
    case 'link':
      return { type: 'hardlink', path };
    default:
      return { type: 'other', path };
  }
}

/**
 * An entry as the walk yields it. read() and readChunks() live on the prototype: two closures per
 * entry were a measurable share of walking a layer. The handle is private, so spreading an entry
 * copies its data fields only.
 */
class ReaderEntry implements LayerEntry {
  path: string;
  type: LayerEntryType;
  size: number;
  mode: number;
  uid: number;
  gid: number;
  mtime: Date;
  declare linkTarget?: string;
  readonly #handle: EntryHandle;

  constructor(rawPath: string, h: TarHeader, handle: EntryHandle) {
    const { type, path } = entryType(rawPath, h.type);
    this.path = path;
    this.type = type;
    this.size = type === 'file' ? (h.size ?? 0) : 0;
    this.mode = (h.mode ?? 0) & 0o7777;
    this.uid = h.uid ?? 0;
    this.gid = h.gid ?? 0;
    this.mtime = new Date(1000 * (h.mtime ?? 0));
    if (type === 'symlink' && h.linkname != null) this.linkTarget = h.linkname;
    if (type === 'hardlink' && h.linkname != null) this.linkTarget = normalisePath(h.linkname);
    this.#handle = handle;
    handle.isFile = type === 'file';
  }

  read(max?: number): Promise<Buffer> {
    return this.#handle.read(max);
  }

  readChunks(max?: number): Promise<Buffer[]> {
    return this.#handle.readChunks(max);
  }
}

/** Reads an entry's content on demand, up to what was asked, and keeps it until the iteration moves on. */
class EntryHandle {
  valid = true;
  /** Only regular files have content to read (a link's or device's size is not its content). */
  isFile = false;
  private chunks: Buffer[] = [];
  private have = 0;
  private warned = false;

  constructor(
    private readonly header: TarHeader,
    private readonly walk: TarWalk,
    private readonly reader: LayerReader,
  ) {}

  async read(max?: number): Promise<Buffer> {
    const want = await this.fill(max);
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks)];
    const all = this.chunks[0] ?? EMPTY;
    return all.length > want ? all.subarray(0, want) : all;
  }

  async readChunks(max?: number): Promise<Buffer[]> {
    let want = await this.fill(max);
    const out: Buffer[] = [];
    for (const c of this.chunks) {
      if (want <= 0) break;
      out.push(c.length > want ? c.subarray(0, want) : c);
      want -= c.length;
    }
    return out;
  }

  /** Reads up to what `max` asks for (within the bounds); returns that length. */
  private async fill(max: number | undefined): Promise<number> {
    if (!this.valid) throw new Error('LayerEntry.read() called after the layer iteration advanced');
    const size = this.header.size ?? 0;
    const cap = this.reader.limits.maxFileBytes;
    let want = this.isFile ? Math.min(max ?? Number.POSITIVE_INFINITY, size) : 0;
    if (want > cap) {
      want = cap;
      if (!this.warned) {
        this.warned = true;
        this.reader.noteTruncatedRead(this.header.name, size);
      }
    }
    if (this.have < want) this.have += await this.walk.readData(want - this.have, this.chunks);
    return want;
  }
}
