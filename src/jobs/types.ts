import type { Generated } from 'kysely';

export type JobState = 'queued' | 'running' | 'done' | 'failed';

export interface Job<P = unknown> {
  id: number;
  queue: string;
  key: string | null;
  payload: P;
  state: JobState;
  attempts: number;
  maxAttempts: number;
  runAfter: Date;
  lockedBy: string | null;
  lockedUntil: Date | null;
  lastError: string | null;
  result: unknown;
  createdAt: Date;
  updatedAt: Date;
}

export interface EnqueueOptions {
  /** Deduplication: while a job with this key is queued or running, enqueue returns it instead. */
  key?: string;
  maxAttempts?: number;
  delayMs?: number;
}

export type JobTables = {
  jobs: {
    id: Generated<number>;
    queue: string;
    key: string | null;
    payload: string;
    state: JobState;
    attempts: number;
    max_attempts: number;
    run_after: number | string;
    locked_by: string | null;
    locked_until: number | string | null;
    last_error: string | null;
    result: string | null;
    created_at: number | string;
    updated_at: number | string;
  };
};
