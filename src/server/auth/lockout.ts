/**
 * Failed-login limiting per account and per source address: a sliding window of failure times;
 * reaching the limit locks the key for a while. In memory, bounded in the number of keys.
 */

export interface LockoutOptions {
  /** Failures per account within the window before it is locked (default 5). */
  maxAccountFailures?: number;
  /** Failures per source address within the window before it is locked (default 20). */
  maxSourceFailures?: number;
  windowMs?: number;
  lockoutMs?: number;
  /** Keys tracked at most; the oldest are forgotten first (default 100 000). */
  maxKeys?: number;
}

interface Entry {
  failures: number[];
  lockedUntil: number;
}

export interface LockState {
  locked: boolean;
  /** Milliseconds until the lock lifts (0 when not locked). */
  retryAfterMs: number;
  /** What is locked, when locked. */
  scope?: 'account' | 'source';
}

export class LoginLimiter {
  private readonly entries = new Map<string, Entry>();
  private readonly opts: Required<LockoutOptions>;

  constructor(options: LockoutOptions = {}) {
    this.opts = {
      maxAccountFailures: options.maxAccountFailures ?? 5,
      maxSourceFailures: options.maxSourceFailures ?? 20,
      windowMs: options.windowMs ?? 15 * 60_000,
      lockoutMs: options.lockoutMs ?? 15 * 60_000,
      maxKeys: options.maxKeys ?? 100_000,
    };
  }

  check(account: string, source: string | null, now = Date.now()): LockState {
    const a = this.entries.get(`a:${account}`);
    if (a && a.lockedUntil > now) return { locked: true, retryAfterMs: a.lockedUntil - now, scope: 'account' };
    const s = source === null ? undefined : this.entries.get(`s:${source}`);
    if (s && s.lockedUntil > now) return { locked: true, retryAfterMs: s.lockedUntil - now, scope: 'source' };
    return { locked: false, retryAfterMs: 0 };
  }

  fail(account: string, source: string | null, now = Date.now()): void {
    this.bump(`a:${account}`, this.opts.maxAccountFailures, now);
    if (source !== null) this.bump(`s:${source}`, this.opts.maxSourceFailures, now);
  }

  /** A successful login clears the account's failures (not the source's: one good password must not reset a spray). */
  succeed(account: string): void {
    this.entries.delete(`a:${account}`);
  }

  private bump(key: string, max: number, now: number): void {
    let entry = this.entries.get(key);
    if (entry) this.entries.delete(key); // re-insert: Map order doubles as least-recently-used order
    entry ??= { failures: [], lockedUntil: 0 };
    entry.failures = entry.failures.filter((t) => t > now - this.opts.windowMs);
    entry.failures.push(now);
    if (entry.failures.length > max) entry.failures.splice(0, entry.failures.length - max);
    if (entry.failures.length >= max) {
      entry.lockedUntil = now + this.opts.lockoutMs;
      entry.failures = [];
    }
    this.entries.set(key, entry);
    while (this.entries.size > this.opts.maxKeys) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
  }
}
