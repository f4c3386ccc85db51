import type { ByteQueue } from './byte-queue.js';
import { classifyLayerError } from './decompress.js';
import { BLOCK, MAX_META_HEADER, decodeHeader, decodeLongPath, decodePax, mergePax, type PaxRecords, type TarHeader } from './tar-header.js';

const padding = (size: number) => (size % BLOCK === 0 ? 0 : BLOCK - (size % BLOCK));
const truncated = () => classifyLayerError(new Error('Unexpected end of data'));
const corrupt = (msg: string) => classifyLayerError(new Error(msg));

/** tryNext's answer when the bytes waiting are not enough. */
export const NEED_MORE = Symbol('need more bytes');

/**
 * Walks the tar stream in a ByteQueue: header after header, applying GNU long names and PAX
 * records, skipping what the consumer did not read of each entry. Bytes are consumed only when
 * they are needed, so a consumer that reads nothing costs no copies at all, and as long as bytes
 * are waiting the walk is synchronous (no promise per entry).
 */
export class TarWalk {
  /** Data bytes of the current entry not consumed yet, and the padding after them. */
  private left = 0;
  private pad = 0;
  /** Bytes to drop before the next header. */
  private skipping = 0;
  /** A long-name or PAX header whose content has not fully arrived. */
  private meta: TarHeader | null = null;
  private longPath: string | null = null;
  private longLink: string | null = null;
  private pax: PaxRecords | null = null;
  private paxGlobal: PaxRecords | null = null;

  constructor(private readonly queue: ByteQueue) {}

  /**
   * Waits for more bytes (callers check again what arrived). Throws the queue's failure or
   * "truncated" once no more bytes can come.
   */
  private async more(): Promise<void> {
    const q = this.queue;
    if (q.failure) throw q.failure;
    if (q.ended) throw truncated();
    await q.wait();
  }

  /**
   * The next entry's header, after the rest of the current entry; undefined at the end of the
   * archive. Throws LayerFormatError for corrupt or truncated tar, and the queue's failure.
   */
  async next(): Promise<TarHeader | undefined> {
    for (;;) {
      const h = this.tryNext();
      if (h !== NEED_MORE) return h;
      await this.more();
    }
  }

  /** Like next(), from the bytes already waiting; NEED_MORE when they are not enough. */
  tryNext(): TarHeader | undefined | typeof NEED_MORE {
    const q = this.queue;
    if (this.left + this.pad > 0) {
      this.skipping += this.left + this.pad;
      this.left = this.pad = 0;
    }
    for (;;) {
      if (this.skipping > 0) {
        this.skipping -= q.skip(this.skipping);
        if (this.skipping > 0) return NEED_MORE;
      }
      if (this.meta) {
        if (!this.metaBody(this.meta)) return NEED_MORE;
        this.meta = null;
        continue;
      }
      if (q.buffered < BLOCK) return q.ended && q.buffered === 0 ? undefined : NEED_MORE;
      let h: TarHeader | null;
      try {
        h = decodeHeader(q.read(BLOCK));
      } catch (err) {
        throw classifyLayerError(err);
      }
      if (h === null) continue;
      switch (h.type) {
        case 'gnu-long-path':
        case 'gnu-long-link-path':
        case 'pax-global-header':
        case 'pax-header': {
          const size = h.size;
          if (size === null || !(size >= 0)) throw corrupt('Invalid header');
          if (size > MAX_META_HEADER) throw corrupt('Header exceeds max size');
          this.meta = h;
          continue;
        }
      }
      return this.entry(h);
    }
  }

  /** Decodes a long-name or PAX header's content once all of it is waiting; false until then. */
  private metaBody(h: TarHeader): boolean {
    const size = h.size!;
    if (this.queue.buffered < size) return false;
    const body = this.queue.read(size);
    this.skipping = padding(size);
    switch (h.type) {
      case 'gnu-long-path':
        this.longPath = decodeLongPath(body);
        break;
      case 'gnu-long-link-path':
        this.longLink = decodeLongPath(body);
        break;
      case 'pax-global-header':
        this.paxGlobal = decodePax(body);
        break;
      default:
        this.pax = mergePax(this.paxGlobal, decodePax(body));
    }
    return true;
  }

  private entry(h: TarHeader): TarHeader {
    if (this.longPath) {
      h.name = this.longPath;
      this.longPath = null;
    }
    if (this.longLink) {
      h.linkname = this.longLink;
      this.longLink = null;
    }
    const pax = this.pax;
    if (pax) {
      if (pax.path) h.name = pax.path;
      if (pax.linkpath) h.linkname = pax.linkpath;
      if (pax.size) h.size = parseInt(pax.size, 10);
      this.pax = null;
    }
    const size = h.size;
    if (size === null || !(size >= 0)) throw corrupt('Invalid header');
    // A directory's size is not followed by data (tar-stream reads the next header there too).
    this.left = h.type === 'directory' ? 0 : size;
    this.pad = padding(this.left);
    return h;
  }

  /** Up to `n` bytes of the current entry's data into `out` (views, no copy); returns how many. */
  async readData(n: number, out: Buffer[]): Promise<number> {
    const want = Math.min(n, this.left);
    if (want <= 0) return 0;
    let got = 0;
    for (;;) {
      got += this.queue.take(want - got, out);
      if (got >= want) break;
      await this.more();
    }
    this.left -= got;
    return got;
  }
}
