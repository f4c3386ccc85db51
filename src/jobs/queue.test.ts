import { describe, expect, it, vi } from 'vitest';
import { metadataDatabases, type Dialect } from '../testing/databases.js';
import { JobQueue } from './queue.js';
import { Worker } from './worker.js';

const database = metadataDatabases('jobs');

async function open(dialect: Dialect, now?: () => number): Promise<JobQueue> {
  const store = await database(dialect);
  return new JobQueue(store.db, store.dialect, now);
}

describe.each(['sqlite', 'postgres'] as const)('job queue on %s', (dialect) => {
  it('runs jobs in order, once, and records results', async () => {
    const q = await open(dialect);
    await q.enqueue('analyse', { n: 1 });
    await q.enqueue('analyse', { n: 2 });
    await q.enqueue('other', { n: 3 });
    const a = await q.claim<{ n: number }>('analyse', 'w1', 10_000);
    const b = await q.claim<{ n: number }>('analyse', 'w1', 10_000);
    expect([a?.payload.n, b?.payload.n]).toEqual([1, 2]);
    expect(await q.claim('analyse', 'w1', 10_000)).toBeUndefined();
    expect(await q.complete(a!.id, 'w2')).toBe(false);
    expect(await q.complete(a!.id, 'w1', { ok: true })).toBe(true);
    expect((await q.get(a!.id))?.result).toEqual({ ok: true });
    expect(await q.counts()).toEqual([
      { queue: 'analyse', state: 'done', count: 1 },
      { queue: 'analyse', state: 'running', count: 1 },
      { queue: 'other', state: 'queued', count: 1 },
    ]);
  });

  it('deduplicates live jobs by key, and takes the key again once the job is done', async () => {
    const q = await open(dialect);
    const first = await q.enqueue('analyse', { layer: 'x' }, { key: 'sha256:x' });
    const again = await q.enqueue('analyse', { layer: 'x' }, { key: 'sha256:x' });
    expect(again.created).toBe(false);
    expect(again.job.id).toBe(first.job.id);
    const job = await q.claim('analyse', 'w', 10_000);
    await q.complete(job!.id, 'w');
    expect((await q.enqueue('analyse', { layer: 'x' }, { key: 'sha256:x' })).created).toBe(true);
  });

  it('retries failures with backoff and gives up after maxAttempts', async () => {
    let clock = 1_000_000;
    const q = await open(dialect, () => clock);
    const { job } = await q.enqueue('analyse', {}, { maxAttempts: 2 });
    const c1 = await q.claim('analyse', 'w', 10_000);
    expect(await q.fail(c1!.id, 'w', 'boom', 5000)).toBe('queued');
    expect(await q.claim('analyse', 'w', 10_000)).toBeUndefined();
    clock += 5000;
    const c2 = await q.claim('analyse', 'w', 10_000);
    expect(c2?.attempts).toBe(2);
    expect(await q.fail(c2!.id, 'w', 'boom again', 5000)).toBe('failed');
    const final = await q.get(job.id);
    expect(final?.state).toBe('failed');
    expect(final?.lastError).toBe('boom again');
  });

  it('lets another worker take over a job whose lease ran out', async () => {
    let clock = 2_000_000;
    const q = await open(dialect, () => clock);
    await q.enqueue('analyse', {});
    const a = await q.claim('analyse', 'dead', 1000);
    expect(await q.claim('analyse', 'alive', 1000)).toBeUndefined();
    clock += 1001;
    const b = await q.claim('analyse', 'alive', 1000);
    expect(b?.id).toBe(a?.id);
    expect(await q.complete(a!.id, 'dead')).toBe(false);
    expect(await q.complete(b!.id, 'alive')).toBe(true);
  });

  it('never hands one job to two concurrent claimers', async () => {
    const q = await open(dialect);
    for (let i = 0; i < 20; i++) await q.enqueue('analyse', { i });
    const claims = await Promise.all(Array.from({ length: 40 }, (_, i) => q.claim<{ i: number }>('analyse', `w${i}`, 10_000)));
    const ids = claims.filter((c) => c !== undefined).map((c) => c.id);
    expect(ids).toHaveLength(20);
    expect(new Set(ids).size).toBe(20);
  });

  it('runs a worker with bounded concurrency, retrying until success', async () => {
    const q = await open(dialect);
    for (let i = 0; i < 6; i++) await q.enqueue('analyse', { i });
    let active = 0;
    let peak = 0;
    const tries = new Map<number, number>();
    const worker = new Worker<{ i: number }>(
      q,
      'analyse',
      async (job) => {
        active++;
        peak = Math.max(peak, active);
        await new Promise((r) => setTimeout(r, 20));
        active--;
        const t = (tries.get(job.payload.i) ?? 0) + 1;
        tries.set(job.payload.i, t);
        if (job.payload.i === 3 && t === 1) throw new Error('transient');
        return job.payload.i * 2;
      },
      { concurrency: 2, pollMs: 20, backoffMs: () => 10 },
    );
    worker.start();
    for (let i = 0; i < 200 && (await q.list({ state: 'done' })).length < 6; i++) await new Promise((r) => setTimeout(r, 25));
    await worker.stop();
    const done = await q.list({ state: 'done' });
    expect(done).toHaveLength(6);
    expect(peak).toBeLessThanOrEqual(2);
    expect(tries.get(3)).toBe(2);
    expect(await q.prune(new Date(Date.now() + 1000))).toBe(6);
  });

  it('runs a delayed job at once when expedited', async () => {
    const q = await open(dialect);
    await q.enqueue('analyse', { n: 1 }, { key: 'k', delayMs: 3_600_000 });
    expect(await q.claim('analyse', 'w1', 10_000)).toBeUndefined();
    expect(await q.expedite('analyse', 'other')).toBe(false);
    expect(await q.expedite('analyse', 'k')).toBe(true);
    expect((await q.claim<{ n: number }>('analyse', 'w1', 10_000))?.payload.n).toBe(1);
    // Running, not waiting: nothing left to expedite.
    expect(await q.expedite('analyse', 'k')).toBe(false);
  });

  it('does not lose a notify that comes while it is already looking for work', async () => {
    const q = await open(dialect);
    const claim = q.claim.bind(q);
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => (release = r));
    let calls = 0;
    // The first look finds nothing, and is still under way when the job and its notify arrive.
    vi.spyOn(q, 'claim').mockImplementation(async (queue, worker, leaseMs) => {
      const job = await claim(queue, worker, leaseMs);
      if (calls++ === 0) await held;
      return job;
    });
    const ran: number[] = [];
    const worker = new Worker<{ i: number }>(q, 'analyse', async (job) => void ran.push(job.payload.i), { pollMs: 3_600_000 });
    worker.start();
    await vi.waitFor(() => expect(calls).toBe(1));
    await q.enqueue('analyse', { i: 7 });
    worker.notify();
    release();
    // Without the second look it would wait for the next poll, an hour away.
    await vi.waitFor(() => expect(ran).toEqual([7]), { timeout: 20_000 });
    await worker.stop();
  });
});
