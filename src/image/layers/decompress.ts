import { Readable, type Duplex } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { ZstdDecompressStream } from './zstd.js';
import { IgzipProcessStream, hasIgzipBinary } from './gzip-process.js';
import { ZstdProcessStream, hasZstdBinary } from './zstd-process.js';
import { LayerFormatError, LayerLimitError, type LayerCompression } from './types.js';

/** Compression told by the first bytes: gzip and zstd magic numbers, anything else is plain tar. */
export function sniffCompression(head: Uint8Array): 'gzip' | 'zstd' | 'none' {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  return 'none';
}

/** Reads the first `n` bytes of a stream without consuming them (returns a stream that still starts with them). */
export async function peekStream(stream: Readable, n: number): Promise<{ head: Buffer; stream: Readable }> {
  const chunks: Buffer[] = [];
  let len = 0;
  let ended = false;
  while (len < n && !ended) {
    const chunk = stream.read() as Buffer | string | null;
    if (chunk !== null) {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      chunks.push(buf);
      len += buf.length;
      continue;
    }
    ended = await new Promise<boolean>((resolve, reject) => {
      const done = (value: boolean, err?: Error) => {
        stream.off('readable', onReadable).off('end', onEnd).off('error', onError).off('close', onEnd);
        if (err) reject(err);
        else resolve(value);
      };
      const onReadable = () => done(false);
      const onEnd = () => done(true);
      const onError = (err: Error) => done(true, err);
      stream.on('readable', onReadable).on('end', onEnd).on('error', onError).on('close', onEnd);
    });
  }
  const head = Buffer.concat(chunks);
  if (ended) return { head, stream: Readable.from(head.length > 0 ? [head] : []) };
  if (head.length > 0) stream.unshift(head);
  return { head, stream };
}

/**
 * Which decoder: a native program in a child process when on PATH ('auto': `zstd`, ISA-L's
 * `igzip`), always it ('process'), or in-process ('js': fzstd, node:zlib).
 */
export type Decoder = 'auto' | 'process' | 'js';

export interface Decoders {
  zstd?: Decoder;
  gzip?: Decoder;
}

/** A decompression stage; `meters` when it reports decompressed bytes to `onOutput` itself. */
export interface DecompressStage {
  stream: Duplex;
  meters: boolean;
}

/** Output chunk of the gzip stage: large chunks mean fewer hops through the stream machinery. */
const GUNZIP_CHUNK = 256 * 1024;

/**
 * The decompression stage for a layer (none for plain tar). fzstd is handed `onOutput` so a bound
 * stops a bomb inside one synchronous decode call; the other stages' output is metered by the reader.
 */
export function decompressStage(
  compression: Exclude<LayerCompression, 'auto'>,
  maxZstdWindow: number,
  onOutput: (n: number) => void,
  decoders: Decoders = {},
): DecompressStage | undefined {
  const gzip = decoders.gzip ?? 'auto';
  const zstd = decoders.zstd ?? 'auto';
  switch (compression) {
    case 'gzip':
      if (gzip === 'process' || (gzip === 'auto' && hasIgzipBinary())) return { stream: new IgzipProcessStream(), meters: false };
      return { stream: createGunzip({ chunkSize: GUNZIP_CHUNK }), meters: false };
    case 'zstd':
      if (zstd === 'process' || (zstd === 'auto' && hasZstdBinary())) return { stream: new ZstdProcessStream(maxZstdWindow), meters: false };
      return { stream: new ZstdDecompressStream(maxZstdWindow, onOutput), meters: true };
    case 'none':
      return undefined;
  }
}

/** Turns stream errors into LayerFormatError with a message a user can act on. */
export function classifyLayerError(err: unknown): Error {
  if (err instanceof LayerFormatError || err instanceof LayerLimitError) return err;
  const e = err as NodeJS.ErrnoException;
  const msg = e?.message ?? String(err);
  if (e?.code === 'Z_BUF_ERROR' || /unexpected end of file/i.test(msg)) {
    return new LayerFormatError('truncated', 'gzip stream is truncated (unexpected end of file)', { cause: err });
  }
  if (typeof e?.code === 'string' && e.code.startsWith('Z_')) {
    return new LayerFormatError('corrupt-compression', `corrupt gzip data: ${msg}`, { cause: err });
  }
  if (/unexpected end of data/i.test(msg)) {
    return new LayerFormatError('truncated', 'layer tar is truncated (unexpected end of data)', { cause: err });
  }
  if (/invalid tar header|header exceeds max size|invalid header|unknown format/i.test(msg)) {
    return new LayerFormatError('corrupt-tar', `corrupt tar: ${msg}`, { cause: err });
  }
  return err instanceof Error ? err : new Error(msg);
}
