import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { UploadTap } from '../registry/uploads.js';
import type { StreamingAnalysis } from './layer-pool.js';
import { looksLikeLayer, SNIFF_BYTES } from './sniff.js';

/** An upload committed while its layer analysis ran: the analysis, fed to the end, and its digest stand-in. */
export interface CommittedStream {
  placeholder: string;
  analysis: StreamingAnalysis;
}

export interface LayerStreamsOptions {
  /** Starts an analysis whose facts say `placeholder` where the (not yet known) digest goes. */
  start(placeholder: string): StreamingAnalysis;
  /** Analyses running at once (each holds a worker thread for its upload's duration); more uploads are left to the queue. */
  maxStreams: number;
  /** Bytes an analysis may fall behind its upload before the upload waits for it (default 8 MiB). */
  maxLagBytes?: number;
  /** How long an upload waits for an analysis that makes no progress before the analysis is dropped (default 2 s). */
  stallMs?: number;
  /** Uploads that receive no data for this long are forgotten (default 10 min). */
  idleMs?: number;
  /** An upload committed with its analysis fed to the end: the caller stores its facts (or falls back). */
  onCommitted(digest: string, size: number, stream: CommittedStream): void;
  logger?: Logger;
}

interface Session {
  /** Bytes seen so far, all in order from offset 0. */
  seen: number;
  /** The first bytes, until there are enough to tell a layer. */
  head: Buffer[];
  headBytes: number;
  layer?: boolean;
  analysis?: StreamingAnalysis;
  placeholder?: string;
  lastData: number;
}

/** Upload sessions followed at once (each holds at most a sniff's worth of bytes unless analysing). */
const MAX_SESSIONS = 10_000;
/** Verdicts kept for blobs committed without an analysis, until their commit hook reads them. */
const MAX_VERDICTS = 1_000;

/**
 * Layer analysis while an upload streams in: the registry tees each upload's bytes here (an
 * UploadTap); once the head shows a layer, the bytes go on to an analysis in a worker thread, and
 * when the upload commits, the analysis is finished with the bytes it has already seen — no second
 * read of the blob and no wait for the queue. Whatever breaks the stream (bytes out of order, an
 * upload resumed in another process or after a restart, a failed append, cancellation, an
 * analysis that stalls) only drops the analysis: the committed blob then goes to the job queue
 * as before. The upload itself is never failed by any of this; it waits for its analysis only
 * while the analysis is more than `maxLagBytes` behind and still moving.
 */
export class LayerStreams implements UploadTap {
  private readonly sessions = new Map<string, Session>();
  private readonly verdicts = new Map<string, boolean>();
  private readonly maxLag: number;
  private readonly stallMs: number;
  private readonly idleMs: number;
  private readonly sweeper: NodeJS.Timeout;
  private active = 0;
  private closed = false;

  constructor(private readonly opts: LayerStreamsOptions) {
    this.maxLag = opts.maxLagBytes ?? 8 * 1024 * 1024;
    this.stallMs = opts.stallMs ?? 2000;
    this.idleMs = opts.idleMs ?? 10 * 60_000;
    this.sweeper = setInterval(() => this.sweep(), Math.min(60_000, this.idleMs));
    this.sweeper.unref();
  }

  /** Analyses running now. */
  get running(): number {
    return this.active;
  }

  data(uploadId: string, offset: number, chunk: Buffer): Promise<void> | undefined {
    if (this.closed) return undefined;
    let s = this.sessions.get(uploadId);
    if (!s) {
      // Only an upload followed from its first byte can be analysed; a resumed one is the queue's.
      if (offset !== 0 || this.sessions.size >= MAX_SESSIONS) return undefined;
      s = { seen: 0, head: [], headBytes: 0, lastData: Date.now() };
      this.sessions.set(uploadId, s);
    }
    if (offset !== s.seen) {
      this.forget(uploadId, 'upload bytes arrived out of order');
      return undefined;
    }
    s.seen += chunk.length;
    s.lastData = Date.now();
    if (s.layer === undefined) {
      s.head.push(chunk);
      s.headBytes += chunk.length;
      if (s.headBytes < SNIFF_BYTES) return undefined;
      this.sniff(s);
    } else s.analysis?.write(chunk);
    return this.pace(s);
  }

  committed(uploadId: string, digest: string, size: number): void {
    const s = this.sessions.get(uploadId);
    if (!s) return;
    this.sessions.delete(uploadId);
    if (s.seen !== size) {
      this.drop(s, 'the committed upload is not what was seen');
      return;
    }
    if (s.layer === undefined) this.sniff(s);
    if (s.analysis && s.placeholder) {
      s.analysis.end();
      this.opts.onCommitted(digest, size, { placeholder: s.placeholder, analysis: s.analysis });
      return;
    }
    this.verdicts.set(digest, s.layer === true);
    if (this.verdicts.size > MAX_VERDICTS) this.verdicts.delete(this.verdicts.keys().next().value!);
  }

  abandoned(uploadId: string): void {
    this.forget(uploadId, 'upload abandoned');
  }

  /** Whether a blob just committed without an analysis looked like a layer (undefined: not seen here). Read once. */
  knownLayer(digest: string): boolean | undefined {
    const v = this.verdicts.get(digest);
    this.verdicts.delete(digest);
    return v;
  }

  close(): void {
    this.closed = true;
    clearInterval(this.sweeper);
    for (const id of [...this.sessions.keys()]) this.forget(id, 'server stopping');
  }

  /** Decides from the head whether the upload is a layer and, if so and a thread is free, starts its analysis. */
  private sniff(s: Session): void {
    const head = Buffer.concat(s.head);
    s.head = [];
    s.layer = looksLikeLayer(head);
    if (!s.layer || this.active >= this.opts.maxStreams) return;
    const placeholder = `sha256:${randomBytes(32).toString('hex')}`;
    let analysis: StreamingAnalysis;
    try {
      analysis = this.opts.start(placeholder);
    } catch (err) {
      this.opts.logger?.warn({ err }, 'could not start a layer analysis for an upload');
      return;
    }
    this.active++;
    const release = (): void => {
      this.active--;
    };
    analysis.result.then(release, (err: unknown) => {
      release();
      if (s.analysis === analysis) {
        this.opts.logger?.debug({ err }, 'layer analysis of an upload failed');
        s.analysis = undefined;
      }
    });
    s.analysis = analysis;
    s.placeholder = placeholder;
    analysis.write(head);
  }

  /** Back-pressure: a promise while the analysis is too far behind and still moving; stalled, it is dropped. */
  private pace(s: Session): Promise<void> | undefined {
    const analysis = s.analysis;
    if (!analysis || analysis.lagBytes <= this.maxLag) return undefined;
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        analysis.onProgress(() => undefined);
        resolve();
      };
      const timer = setTimeout(() => {
        this.drop(s, 'layer analysis stalled');
        done();
      }, this.stallMs);
      analysis.onProgress(() => {
        if (s.analysis !== analysis || analysis.lagBytes <= this.maxLag / 2) done();
        else timer.refresh();
      });
    });
  }

  private drop(s: Session, reason: string): void {
    const analysis = s.analysis;
    if (!analysis) return;
    s.analysis = undefined;
    this.opts.logger?.debug({ reason }, 'layer analysis during upload dropped');
    analysis.abort(reason);
  }

  private forget(uploadId: string, reason: string): void {
    const s = this.sessions.get(uploadId);
    if (!s) return;
    this.sessions.delete(uploadId);
    this.drop(s, reason);
  }

  private sweep(): void {
    const before = Date.now() - this.idleMs;
    for (const [id, s] of this.sessions) if (s.lastData < before) this.forget(id, 'upload idle');
  }
}
