/** JSON-lines files with size-based rotation: `audit.jsonl`, `audit.jsonl.1` (newest old) … `.N`. */
import { appendFile, mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { AuditEvent } from '../event.js';
import type { AuditSink } from '../sink.js';
import type { Checkpoint } from '../store.js';

export interface JsonlSinkOptions {
  path: string;
  /** Rotate before a write would take the file past this size (default 10 MiB). */
  maxBytes?: number;
  /** Rotated files kept (default 5). */
  maxFiles?: number;
}

export class JsonlSink implements AuditSink {
  readonly name = 'jsonl';
  private size: number | undefined;
  private tail: Promise<unknown> = Promise.resolve();
  private readonly maxBytes: number;
  private readonly maxFiles: number;

  constructor(private readonly options: JsonlSinkOptions) {
    this.maxBytes = options.maxBytes ?? 10 * 1024 * 1024;
    this.maxFiles = Math.max(1, options.maxFiles ?? 5);
  }

  write(event: AuditEvent): Promise<void> {
    return this.enqueue(`${JSON.stringify({ type: 'event', ...event })}\n`);
  }

  writeCheckpoint(checkpoint: Checkpoint): Promise<void> {
    return this.enqueue(`${JSON.stringify({ type: 'checkpoint', ...checkpoint })}\n`);
  }

  async close(): Promise<void> {
    await this.tail;
  }

  private enqueue(line: string): Promise<void> {
    const run = this.tail.then(() => this.append(line));
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async append(line: string): Promise<void> {
    const bytes = Buffer.byteLength(line);
    if (this.size === undefined) {
      await mkdir(dirname(this.options.path), { recursive: true });
      this.size = await stat(this.options.path).then((s) => s.size, () => 0);
    }
    if (this.size > 0 && this.size + bytes > this.maxBytes) await this.rotate();
    await appendFile(this.options.path, line, { mode: 0o600 });
    this.size += bytes;
  }

  private async rotate(): Promise<void> {
    const p = this.options.path;
    await rm(`${p}.${this.maxFiles}`, { force: true });
    for (let i = this.maxFiles - 1; i >= 1; i--) {
      await rename(`${p}.${i}`, `${p}.${i + 1}`).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
      });
    }
    await rename(p, `${p}.1`);
    this.size = 0;
  }
}
