import { randomUUID } from 'node:crypto';
import type { JobQueue } from './queue.js';
import type { Job } from './types.js';

export interface WorkerOptions {
  /** Jobs run at once by this worker. */
  concurrency?: number;
  /** How long a claimed job is ours before another worker may take it over. */
  leaseMs?: number;
  /** Idle polling interval; `notify()` wakes the worker sooner. */
  pollMs?: number;
  /** Delay before retry N (1-based). */
  backoffMs?: (attempt: number) => number;
  onError?: (job: Job, err: unknown) => void;
}

/**
 * Runs the jobs of one queue with bounded concurrency, renewing leases while handlers run and
 * retrying failures with exponential backoff.
 */
export class Worker<P> {
  readonly id = `worker-${randomUUID()}`;
  private running = 0;
  private stopped = true;
  private timer: NodeJS.Timeout | undefined;
  private pumping = false;
  /** A notify() came while a pump was running: that pump may have looked before the new job existed. */
  private again = false;
  private idle: (() => void)[] = [];
  private readonly opts: Required<Omit<WorkerOptions, 'onError'>> & Pick<WorkerOptions, 'onError'>;

  constructor(
    private readonly queue: JobQueue,
    private readonly name: string,
    private readonly handler: (job: Job<P>) => Promise<unknown>,
    opts: WorkerOptions = {},
  ) {
    this.opts = {
      concurrency: opts.concurrency ?? 2,
      leaseMs: opts.leaseMs ?? 60_000,
      pollMs: opts.pollMs ?? 1000,
      backoffMs: opts.backoffMs ?? ((n) => Math.min(60_000, 500 * 2 ** (n - 1))),
      onError: opts.onError,
    };
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.notify();
  }

  /** Looks for work now (call after enqueueing). */
  notify(): void {
    if (this.stopped) return;
    void this.pump();
  }

  /** Stops claiming new jobs and waits for the running ones. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.running > 0) await new Promise<void>((resolve) => this.idle.push(resolve));
  }

  private async pump(): Promise<void> {
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.again = false;
        while (!this.stopped && this.running < this.opts.concurrency) {
          const job = await this.queue.claim<P>(this.name, this.id, this.opts.leaseMs);
          if (!job) break;
          this.running++;
          void this.execute(job);
        }
      } while (this.again && !this.stopped && this.running < this.opts.concurrency);
    } catch (err) {
      this.opts.onError?.({ id: -1 } as Job, err);
    } finally {
      this.pumping = false;
    }
    if (!this.stopped) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = setTimeout(() => void this.pump(), this.opts.pollMs);
      this.timer.unref();
    }
  }

  private async execute(job: Job<P>): Promise<void> {
    const beat = setInterval(() => void this.queue.heartbeat(job.id, this.id, this.opts.leaseMs), Math.max(100, this.opts.leaseMs / 3));
    beat.unref();
    try {
      const result = await this.handler(job);
      await this.queue.complete(job.id, this.id, result);
    } catch (err) {
      this.opts.onError?.(job, err);
      const message = err instanceof Error ? err.message : String(err);
      await this.queue.fail(job.id, this.id, message, this.opts.backoffMs(job.attempts)).catch(() => undefined);
    } finally {
      clearInterval(beat);
      this.running--;
      if (this.running === 0) for (const resolve of this.idle.splice(0)) resolve();
      this.notify();
    }
  }
}
