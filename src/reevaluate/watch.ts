/**
 * Notices vulnerability DB changes (`db import`, `db update`, `db pull` into the server's cache
 * directory) by polling a cheap fingerprint — the file's identity and the sources table, which
 * every import rewrites — and runs a re-evaluation when it moves. `trigger()` runs one at once.
 * Runs never overlap: a change noticed during a run leads to exactly one more run.
 */
import { existsSync, statSync } from 'node:fs';
import { VulnDb } from '../vulndb/db/database.js';

/** The DB's identity and import history; undefined when there is no DB (yet). */
export function dbFingerprint(path: string): string | undefined {
  if (!existsSync(path)) return undefined;
  const st = statSync(path);
  const db = VulnDb.open(path, { readonly: true });
  try {
    const sources = db.sources().map((s) => [s.name, s.importedAt, s.records, s.inserted, s.updated, s.removed]);
    // ino changes when `db update`/`db pull` swap in a new file.
    return JSON.stringify([st.ino, sources]);
  } finally {
    db.close();
  }
}

export interface WatcherOptions<R> {
  dbPath: string;
  /** One re-evaluation over the DB (opened read-only for the run, closed after). */
  run: (db: VulnDb) => Promise<R>;
  /** Poll interval (default 60 s). */
  intervalMs?: number;
  /**
   * Re-evaluate at start as well (default true): the DB may have changed while the server was
   * down. False takes the current state as the baseline.
   */
  runOnStart?: boolean;
  onResult?: (result: R) => void;
  onError?: (err: unknown) => void;
}

export class ReevaluationWatcher<R> {
  private last: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<R | undefined> | undefined;
  private pending: Promise<R | undefined> | undefined;
  private stopped = true;

  constructor(private readonly opts: WatcherOptions<R>) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    if (this.opts.runOnStart === false) {
      try {
        this.last = dbFingerprint(this.opts.dbPath);
      } catch (err) {
        this.opts.onError?.(err);
      }
    }
    void this.check();
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.pending?.catch(() => undefined);
    await this.running?.catch(() => undefined);
  }

  /** Re-evaluates if the DB changed since the last run; resolves when done (undefined: nothing to do). */
  async check(): Promise<R | undefined> {
    let fp: string | undefined;
    try {
      fp = dbFingerprint(this.opts.dbPath);
    } catch (err) {
      // Mid-swap or mid-write: the next poll sees the settled file.
      this.opts.onError?.(err);
      return undefined;
    }
    if (fp === undefined || fp === this.last) return undefined;
    return this.trigger();
  }

  /** Runs a re-evaluation now, or right after the current one (callers meanwhile share that one run). */
  trigger(): Promise<R | undefined> {
    if (!this.running) return this.begin();
    this.pending ??= this.running.catch(() => undefined).then(() => {
      this.pending = undefined;
      return this.begin();
    });
    return this.pending;
  }

  private begin(): Promise<R | undefined> {
    const run = this.runOnce().finally(() => {
      if (this.running === run) this.running = undefined;
    });
    this.running = run;
    return run;
  }

  private async runOnce(): Promise<R | undefined> {
    if (!existsSync(this.opts.dbPath)) return undefined;
    const fp = dbFingerprint(this.opts.dbPath);
    const db = VulnDb.open(this.opts.dbPath, { readonly: true });
    try {
      const result = await this.opts.run(db);
      this.last = fp;
      this.opts.onResult?.(result);
      return result;
    } catch (err) {
      this.opts.onError?.(err);
      throw err;
    } finally {
      db.close();
    }
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.check()
        .catch(() => undefined)
        .finally(() => this.schedule());
    }, this.opts.intervalMs ?? 60_000);
    this.timer.unref();
  }
}
