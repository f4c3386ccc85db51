import { pipeline, type Readable } from 'node:stream';
import * as tar from 'tar-stream';
import { classifyLayerError, decompressStages, meter, peekStream, sniffCompression, type ZstdDecoder } from './decompress.js';
import { normalisePath, whiteoutOf } from './path.js';
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

type TarEntry = tar.Extract extends AsyncIterable<infer S> ? S : never;

export interface ReadLayerOptions {
  compression?: LayerCompression;
  limits?: Partial<LayerLimits>;
  /** zstd decoder (default 'auto': the native `zstd` program when installed, else fzstd). */
  zstdDecoder?: ZstdDecoder;
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
    const counter = meter((n) => (stats.compressedBytes += n));
    const stages = decompressStages(compression, this.limits.maxZstdWindow, (n) => this.checkOutput(n), this.opts.zstdDecoder);
    const extract = tar.extract();
    let failure: Error | undefined;
    const fail = (err: unknown) => {
      if (failure) return;
      failure = classifyLayerError(err);
      if (failure instanceof LayerLimitError) this.limitHit(failure);
      extract.destroy(failure);
    };
    const last = pipeline([source, counter, ...stages], (err) => {
      if (err) fail(err);
    }) as unknown as Readable;
    last.pipe(extract);
    extract.on('error', fail);

    const it = extract[Symbol.asyncIterator]();
    let finished = false;
    try {
      for (;;) {
        let next: IteratorResult<TarEntry>;
        try {
          next = await it.next();
        } catch (err) {
          const mapped = failure ?? classifyLayerError(err);
          if (mapped instanceof LayerLimitError) {
            this.limitHit(mapped);
            return;
          }
          throw mapped;
        }
        if (next.done) {
          if (failure instanceof LayerLimitError) return;
          if (failure) throw failure;
          finished = true;
          return;
        }
        const tarEntry = next.value;
        if (++stats.entries > this.limits.maxEntries) {
          this.limitHit(new LayerLimitError('entry-limit', `layer has more than ${this.limits.maxEntries} entries`));
          return;
        }
        const name = tarEntry.header.name;
        const path = name.length > this.limits.maxPathLength * 4 ? '' : normalisePath(name);
        if (path === '' || path.length > this.limits.maxPathLength) {
          this.limitHit(
            new LayerLimitError('path-length', `layer entry path longer than ${this.limits.maxPathLength} bytes`),
          );
          return;
        }
        const handle = new EntryHandle(tarEntry, this, () => failure);
        const entry = toLayerEntry(path, tarEntry.header, handle);
        yield entry;
        handle.invalidate();
        tarEntry.resume();
      }
    } finally {
      if (!finished) {
        extract.destroy();
        source.destroy();
      }
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

function entryType(path: string, type: tar.Header['type'] | null | undefined): { type: LayerEntryType; path: string } {
  const wh = whiteoutOf(path);
  if (wh?.kind === 'opaque') return { type: 'opaque', path: wh.dir };
  if (wh?.kind === 'whiteout') return { type: 'whiteout', path: wh.target };
  if (wh?.kind === 'meta') return { type: 'other', path };
  switch (type) {
    case 'file':
    case 'contiguous-file':
    case undefined:
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

function toLayerEntry(rawPath: string, h: tar.Header, handle: EntryHandle): LayerEntry {
  const { type, path } = entryType(rawPath, h.type);
  const entry: LayerEntry = {
    path,
    type,
    size: type === 'file' ? (h.size ?? 0) : 0,
    mode: (h.mode ?? 0) & 0o7777,
    uid: h.uid ?? 0,
    gid: h.gid ?? 0,
    read: (max?: number) => handle.read(type === 'file' ? max : 0),
  };
  if (h.mtime) entry.mtime = h.mtime;
  if (type === 'symlink' && h.linkname != null) entry.linkTarget = h.linkname;
  if (type === 'hardlink' && h.linkname != null) entry.linkTarget = normalisePath(h.linkname);
  return entry;
}

/** Reads an entry's content on demand, up to what was asked, and keeps it until the iteration moves on. */
class EntryHandle {
  private chunks: Buffer[] = [];
  private have = 0;
  private ended = false;
  private valid = true;
  private warned = false;

  constructor(
    private readonly stream: TarEntry,
    private readonly reader: LayerReader,
    private readonly failure: () => Error | undefined,
  ) {
    stream.once('end', () => (this.ended = true));
  }

  invalidate(): void {
    this.valid = false;
    this.chunks = [];
  }

  async read(max?: number): Promise<Buffer> {
    if (!this.valid) throw new Error('LayerEntry.read() called after the layer iteration advanced');
    const size = this.stream.header.size ?? 0;
    const cap = this.reader.limits.maxFileBytes;
    let want = Math.min(max ?? Number.POSITIVE_INFINITY, size);
    if (want > cap) {
      want = cap;
      if (!this.warned) {
        this.warned = true;
        this.reader.noteTruncatedRead(this.stream.header.name, size);
      }
    }
    while (this.have < want && !this.ended) await this.pull(want);
    const failed = this.failure();
    if (failed && this.have < want) throw failed;
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks)];
    const all = this.chunks[0] ?? Buffer.alloc(0);
    return all.length > want ? all.subarray(0, want) : all;
  }

  private pull(want: number): Promise<void> {
    const s = this.stream;
    return new Promise((resolve, reject) => {
      const cleanup = () => {
        s.off('data', onData);
        s.off('end', onEnd);
        s.off('error', onError);
        s.off('close', onClose);
      };
      const onData = (data: unknown) => {
        const chunk = data as Buffer;
        this.chunks.push(chunk);
        this.have += chunk.length;
        if (this.have >= want) {
          cleanup();
          s.pause();
          resolve();
        }
      };
      const onEnd = () => {
        this.ended = true;
        cleanup();
        resolve();
      };
      const onError = (err: Error) => {
        cleanup();
        reject(this.failure() ?? classifyLayerError(err));
      };
      const onClose = () => {
        cleanup();
        if (this.ended) resolve();
        else reject(this.failure() ?? new Error('layer stream closed while reading an entry'));
      };
      s.on('data', onData);
      s.on('end', onEnd);
      s.on('error', onError);
      s.on('close', onClose);
      s.resume();
    });
  }
}
