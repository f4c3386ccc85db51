/** Runs a task now and then every `intervalMs`, never overlapping itself; stop() waits for a running one. */
export interface Schedule<T> {
  /** Runs the task at once (or joins the run in progress). */
  runNow(): Promise<T>;
  stop(): Promise<void>;
}

export function every<T>(intervalMs: number, task: () => Promise<T>, onError: (err: unknown) => void, runAtStart = false): Schedule<T> {
  if (!(intervalMs > 0)) throw new RangeError(`schedule interval must be positive, got ${intervalMs}`);
  let running: Promise<T> | undefined;
  let stopped = false;
  const runNow = (): Promise<T> => {
    running ??= task().finally(() => {
      running = undefined;
    });
    return running;
  };
  const tick = (): void => {
    if (stopped || running) return;
    runNow().catch(onError);
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  if (runAtStart) setImmediate(tick);
  return {
    runNow,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}
