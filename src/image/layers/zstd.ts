import { Transform, type TransformCallback } from 'node:stream';
import { Decompress } from 'fzstd';
import { LayerFormatError, LayerLimitError } from './types.js';

/**
 * Streaming zstd decompression with fzstd (Node 20 has no native zstd). fzstd trusts the frame
 * header's window size (up to 2 GiB, allocated at once), so a small structural scanner walks the
 * frame and block headers ahead of it and refuses windows above the limit before fzstd sees them.
 */

const ZSTD_MAGIC = 0xfd2fb528;
const BLOCK_MAX = 128 * 1024;

type State =
  | { at: 'header'; need: number }
  | { at: 'skip'; left: number; then: 'header' | 'block' }
  | { at: 'block'; need: number; checksum: boolean };

export class ZstdFrameGuard {
  private state: State = { at: 'header', need: 4 };
  private hdr: number[] = [];
  private checksum = false;
  frames = 0;

  constructor(private readonly maxWindow: number) {}

  /** Feeds compressed bytes; throws on a window over the limit or a malformed frame. */
  scan(chunk: Uint8Array): void {
    let i = 0;
    while (i < chunk.length) {
      const st = this.state;
      if (st.at === 'skip') {
        const n = Math.min(st.left, chunk.length - i);
        i += n;
        st.left -= n;
        if (st.left === 0) this.state = st.then === 'header' ? { at: 'header', need: 4 } : { at: 'block', need: 3, checksum: this.checksum };
        continue;
      }
      this.hdr.push(chunk[i++]!);
      if (this.hdr.length < st.need) continue;
      if (st.at === 'header') this.header();
      else this.block(st.checksum);
    }
  }

  /** Called at end of input: a frame cut in the middle is a truncated stream. */
  end(): void {
    const st = this.state;
    if (!(st.at === 'header' && this.hdr.length === 0) || this.frames === 0) {
      throw new LayerFormatError('truncated', 'zstd stream is truncated (ends inside a frame)');
    }
  }

  private header(): void {
    const h = this.hdr;
    const magic = (h[0]! | (h[1]! << 8) | (h[2]! << 16) | (h[3]! << 24)) >>> 0;
    if ((magic & 0xfffffff0) >>> 0 === 0x184d2a50) {
      if (h.length < 8) return void (this.state = { at: 'header', need: 8 });
      const size = (h[4]! | (h[5]! << 8) | (h[6]! << 16) | (h[7]! << 24)) >>> 0;
      this.hdr = [];
      this.state = size > 0 ? { at: 'skip', left: size, then: 'header' } : { at: 'header', need: 4 };
      return;
    }
    if (magic !== ZSTD_MAGIC) throw new LayerFormatError('corrupt-compression', 'not a zstd frame (bad magic number)');
    if (h.length < 5) return void (this.state = { at: 'header', need: 5 });
    const fhd = h[4]!;
    const singleSegment = (fhd >> 5) & 1;
    const fcsFlag = fhd >> 6;
    const dictFlag = fhd & 3;
    if (fhd & 8) throw new LayerFormatError('corrupt-compression', 'zstd frame header has the reserved bit set');
    const fcsBytes = fcsFlag === 0 ? singleSegment : 1 << fcsFlag;
    const need = 5 + (singleSegment ? 0 : 1) + (dictFlag === 3 ? 4 : dictFlag) + fcsBytes;
    if (h.length < need) return void (this.state = { at: 'header', need });
    let window: number;
    if (!singleSegment) {
      const wd = h[5]!;
      const base = 2 ** (10 + (wd >> 3));
      window = base + (base / 8) * (wd & 7);
    } else {
      let fcs = 0;
      const at = need - fcsBytes;
      for (let k = fcsBytes - 1; k >= 0; k--) fcs = fcs * 256 + h[at + k]!;
      window = fcsBytes === 2 ? fcs + 256 : fcs;
    }
    if (window > this.maxWindow) {
      throw new LayerLimitError('zstd-window', `zstd window of ${window} bytes exceeds the limit of ${this.maxWindow}`);
    }
    this.checksum = ((fhd >> 2) & 1) === 1;
    this.frames++;
    this.hdr = [];
    this.state = { at: 'block', need: 3, checksum: this.checksum };
  }

  private block(checksum: boolean): void {
    const h = this.hdr;
    const v = h[0]! | (h[1]! << 8) | (h[2]! << 16);
    this.hdr = [];
    const last = v & 1;
    const type = (v >> 1) & 3;
    const size = v >>> 3;
    if (type === 3) throw new LayerFormatError('corrupt-compression', 'zstd block of reserved type');
    if (size > BLOCK_MAX) throw new LayerFormatError('corrupt-compression', 'zstd block larger than 128 KiB');
    const content = type === 1 ? 1 : size;
    const after: 'header' | 'block' = last ? 'header' : 'block';
    const tail = last && checksum ? 4 : 0;
    if (content + tail === 0) {
      this.state = after === 'header' ? { at: 'header', need: 4 } : { at: 'block', need: 3, checksum };
    } else if (tail && content === 0) {
      this.state = { at: 'skip', left: tail, then: 'header' };
    } else {
      this.state = { at: 'skip', left: content + tail, then: after };
    }
  }
}

/**
 * A Transform from zstd to raw bytes. `onOutput` runs for every decompressed block before it is
 * pushed, so a bound can stop a bomb inside one synchronous fzstd call.
 */
export class ZstdDecompressStream extends Transform {
  private readonly guard: ZstdFrameGuard;
  private readonly decoder: Decompress;

  constructor(maxWindow: number, onOutput: (bytes: number) => void) {
    super();
    this.guard = new ZstdFrameGuard(maxWindow);
    this.decoder = new Decompress((data) => {
      if (data.length === 0) return;
      onOutput(data.length);
      this.push(Buffer.from(data.buffer, data.byteOffset, data.length));
    });
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    try {
      this.guard.scan(chunk);
      this.decoder.push(chunk);
      cb();
    } catch (err) {
      cb(wrapZstdError(err));
    }
  }

  override _flush(cb: TransformCallback): void {
    try {
      this.guard.end();
      this.decoder.push(new Uint8Array(0), true);
      cb();
    } catch (err) {
      cb(wrapZstdError(err));
    }
  }
}

function wrapZstdError(err: unknown): Error {
  if (err instanceof LayerLimitError || err instanceof LayerFormatError) return err;
  const code = (err as { code?: number }).code;
  if (code === 5) return new LayerFormatError('truncated', 'zstd stream is truncated', { cause: err });
  return new LayerFormatError('corrupt-compression', `corrupt zstd data: ${(err as Error).message}`, { cause: err });
}
