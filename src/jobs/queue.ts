import { sql, type Kysely, type Selectable } from 'kysely';
import type { SqlDialect } from '../metadata/migrations/types.js';
import type { EnqueueOptions, Job, JobState, JobTables } from './types.js';

type Row = Selectable<JobTables['jobs']>;

function toJob<P>(r: Row): Job<P> {
  const date = (v: number | string | null) => (v === null ? null : new Date(Number(v)));
  return {
    id: Number(r.id),
    queue: r.queue,
    key: r.key,
    payload: JSON.parse(r.payload) as P,
    state: r.state,
    attempts: Number(r.attempts),
    maxAttempts: Number(r.max_attempts),
    runAfter: date(r.run_after)!,
    lockedBy: r.locked_by,
    lockedUntil: date(r.locked_until),
    lastError: r.last_error,
    result: r.result === null ? null : (JSON.parse(r.result) as unknown),
    createdAt: date(r.created_at)!,
    updatedAt: date(r.updated_at)!,
  };
}

/**
 * A persistent job queue in the metadata database (SQLite embedded, PostgreSQL at scale).
 * Workers lease jobs; a lease that runs out (the worker died) makes the job claimable again,
 * so every job runs to completion at least once, and a failed attempt is retried with backoff.
 */
export class JobQueue {
  private readonly db: Kysely<JobTables>;

  constructor(
    // Any database that holds the jobs table (the shared metadata database, typed for its own tables).
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    db: Kysely<any>,
    private readonly dialect: SqlDialect,
    private readonly now: () => number = Date.now,
  ) {
    this.db = db as Kysely<JobTables>;
  }

  async enqueue<P>(queue: string, payload: P, opts: EnqueueOptions = {}): Promise<{ job: Job<P>; created: boolean }> {
    const t = this.now();
    const values = {
      queue,
      key: opts.key ?? null,
      payload: JSON.stringify(payload),
      state: 'queued' as const,
      attempts: 0,
      max_attempts: opts.maxAttempts ?? 5,
      run_after: t + (opts.delayMs ?? 0),
      created_at: t,
      updated_at: t,
    };
    try {
      const row = await this.db.insertInto('jobs').values(values).returningAll().executeTakeFirstOrThrow();
      return { job: toJob<P>(row), created: true };
    } catch (err) {
      if (opts.key === undefined) throw err;
      // The live-key index refused it: the same work is already queued or running.
      const live = await this.db
        .selectFrom('jobs')
        .selectAll()
        .where('queue', '=', queue)
        .where('key', '=', opts.key)
        .where('state', 'in', ['queued', 'running'])
        .executeTakeFirst();
      if (!live) throw err;
      return { job: toJob<P>(live), created: false };
    }
  }

  /** Makes the queued job with this key runnable now (it was enqueued with a delay); false when there is none waiting. */
  async expedite(queue: string, key: string): Promise<boolean> {
    const t = this.now();
    const r = await this.db
      .updateTable('jobs')
      .set({ run_after: t, updated_at: t })
      .where('queue', '=', queue)
      .where('key', '=', key)
      .where('state', '=', 'queued')
      .where('run_after', '>', t)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /** Leases the oldest runnable job of the queue to `worker` for `leaseMs`. */
  async claim<P>(queue: string, worker: string, leaseMs: number): Promise<Job<P> | undefined> {
    const t = this.now();
    const lock = this.dialect === 'postgres' ? sql`for update skip locked` : sql``;
    const result = await sql<Row>`
      update jobs set state = 'running', attempts = attempts + 1, locked_by = ${worker},
        locked_until = ${t + leaseMs}, updated_at = ${t}
      where id = (
        select id from jobs
        where queue = ${queue}
          and ((state = 'queued' and run_after <= ${t}) or (state = 'running' and locked_until < ${t}))
        order by run_after, id
        limit 1 ${lock}
      )
      returning *`.execute(this.db);
    const row = result.rows[0];
    return row ? toJob<P>(row) : undefined;
  }

  /** Extends a lease; false when the worker lost it (the job was reclaimed). */
  async heartbeat(id: number, worker: string, leaseMs: number): Promise<boolean> {
    const t = this.now();
    const r = await this.db
      .updateTable('jobs')
      .set({ locked_until: t + leaseMs, updated_at: t })
      .where('id', '=', id)
      .where('locked_by', '=', worker)
      .where('state', '=', 'running')
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async complete(id: number, worker: string, result?: unknown): Promise<boolean> {
    const t = this.now();
    const r = await this.db
      .updateTable('jobs')
      .set({ state: 'done', locked_by: null, locked_until: null, result: result === undefined ? null : JSON.stringify(result), updated_at: t })
      .where('id', '=', id)
      .where('locked_by', '=', worker)
      .where('state', '=', 'running')
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Records a failed attempt: back to the queue after `retryDelayMs`, or failed for good when attempts are used up. */
  async fail(id: number, worker: string, error: string, retryDelayMs: number): Promise<JobState | undefined> {
    const t = this.now();
    const job = await this.get(id);
    if (!job || job.state !== 'running' || job.lockedBy !== worker) return undefined;
    const state: JobState = job.attempts >= job.maxAttempts ? 'failed' : 'queued';
    await this.db
      .updateTable('jobs')
      .set({ state, locked_by: null, locked_until: null, last_error: error.slice(0, 4000), run_after: t + retryDelayMs, updated_at: t })
      .where('id', '=', id)
      .where('locked_by', '=', worker)
      .executeTakeFirst();
    return state;
  }

  async get<P = unknown>(id: number): Promise<Job<P> | undefined> {
    const row = await this.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toJob<P>(row) : undefined;
  }

  /** Most recent first. */
  async list(filter: { queue?: string; state?: JobState; limit?: number } = {}): Promise<Job[]> {
    let q = this.db.selectFrom('jobs').selectAll();
    if (filter.queue) q = q.where('queue', '=', filter.queue);
    if (filter.state) q = q.where('state', '=', filter.state);
    const rows = await q.orderBy('id', 'desc').limit(filter.limit ?? 100).execute();
    return rows.map((r) => toJob(r));
  }

  /** Jobs per queue and state, for the API and metrics. */
  async counts(): Promise<{ queue: string; state: JobState; count: number }[]> {
    const rows = await this.db
      .selectFrom('jobs')
      .select(['queue', 'state', (eb) => eb.fn.countAll<number | string>().as('n')])
      .groupBy(['queue', 'state'])
      .orderBy('queue')
      .orderBy('state')
      .execute();
    return rows.map((r) => ({ queue: r.queue, state: r.state, count: Number(r.n) }));
  }

  /** Deletes finished jobs older than `before` (done always; failed too when asked). */
  async prune(before: Date, includeFailed = false): Promise<number> {
    const states: JobState[] = includeFailed ? ['done', 'failed'] : ['done'];
    const r = await this.db.deleteFrom('jobs').where('state', 'in', states).where('updated_at', '<', before.getTime()).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
