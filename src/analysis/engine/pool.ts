import { availableParallelism } from 'node:os';
import type { Readable } from 'node:stream';
import { Piscina } from 'piscina';
import type { LayerLimits } from '../../image/layers/index.js';
import type { LayerFacts } from '../types.js';
import { analyzerIds } from './cache.js';
import type { LayerRunner } from './image.js';
import { streamToPort } from './port-stream.js';
import { analyzerSet, loadVisitor, type AnalyzerSet, type VisitorModule, type WorkerTask } from './worker.js';

export interface AnalysisPoolOptions {
  maxThreads?: number;
  minThreads?: number;
  idleTimeout?: number;
  analyzers?: AnalyzerSet;
  /** File visitors (e.g. secret rules) loaded inside each worker from a module factory. */
  visitorModules?: VisitorModule[];
  /** The compiled worker entry; defaults to worker.js beside this module (dist/). */
  workerFile?: string | URL;
}

/** Chunks in flight per layer before the reader waits for the worker (64 KiB each). */

/**
 * Layer analysis in a pool of worker threads, so a registry's event loop never runs a tar walk,
 * a zstd decoder or a package-database parser. The blob is read on the calling thread (native
 * async I/O, hashing) and its bytes are handed over a MessagePort with back-pressure.
 */
export class AnalysisPool implements LayerRunner {
  readonly ids: string[];
  private readonly piscina: Piscina<WorkerTask, LayerFacts>;

  private constructor(
    private readonly opts: AnalysisPoolOptions,
    ids: string[],
  ) {
    this.ids = ids;
    const file = opts.workerFile ?? new URL('./worker.js', import.meta.url);
    this.piscina = new Piscina<WorkerTask, LayerFacts>({
      filename: file instanceof URL ? file.href : file,
      maxThreads: opts.maxThreads ?? Math.max(1, availableParallelism() - 1),
      minThreads: opts.minThreads ?? 0,
      idleTimeout: opts.idleTimeout ?? 30_000,
    });
  }

  static async create(opts: AnalysisPoolOptions = {}): Promise<AnalysisPool> {
    const visitors = await Promise.all((opts.visitorModules ?? []).map(loadVisitor));
    return new AnalysisPool(opts, analyzerIds(analyzerSet(opts.analyzers ?? 'image'), visitors));
  }

  async analyzeLayer(
    stream: Readable,
    opts: { layerDigest: string; mediaType?: string; layerIndex?: number; limits?: Partial<LayerLimits> },
  ): Promise<LayerFacts> {
    const feed = streamToPort(stream);
    const task: WorkerTask = {
      port: feed.port,
      layerDigest: opts.layerDigest,
      analyzerSet: this.opts.analyzers ?? 'image',
      visitorModules: this.opts.visitorModules ?? [],
      ...(opts.mediaType ? { mediaType: opts.mediaType } : {}),
      ...(opts.layerIndex !== undefined ? { layerIndex: opts.layerIndex } : {}),
      ...(opts.limits ? { limits: opts.limits } : {}),
    };
    try {
      const facts = await this.piscina.run(task, { transferList: [feed.port] });
      const streamError = feed.error();
      if (streamError) throw streamError;
      return facts;
    } catch (err) {
      // The worker only saw the message; the caller gets the original error (e.g. a digest mismatch).
      throw feed.error() ?? err;
    } finally {
      feed.close();
    }
  }

  get threads(): number {
    return this.piscina.threads.length;
  }

  async close(): Promise<void> {
    await this.piscina.destroy();
  }
}
