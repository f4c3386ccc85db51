import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { Duplex } from 'node:stream';
import type { Readable, Writable } from 'node:stream';
import { LayerFormatError } from './types.js';

/**
 * Decompression by a native program in a child process (`zstd`, ISA-L's `igzip`): native speed,
 * and the decoder runs outside this process, so neither the event loop nor a worker thread spends
 * CPU on it. Pipes keep back-pressure, so memory stays bounded.
 */

const found = new Map<string, boolean>();

const PIPE_BUFFER = 1024 * 1024;

/**
 * Whether an executable is on PATH (looked up once per name). A file lookup, not a trial run:
 * running `zstd --version` blocks the event loop for tens of milliseconds on a busy machine.
 */
export function hasProgram(name: string): boolean {
  let available = found.get(name);
  if (available === undefined) {
    available = (process.env.PATH ?? '').split(delimiter).some((dir) => {
      if (!dir) return false;
      try {
        accessSync(join(dir, name), constants.X_OK);
        return statSync(join(dir, name)).isFile();
      } catch {
        return false;
      }
    });
    found.set(name, available);
  }
  return available;
}

/** Maps the program's last stderr line and exit status to the error the reader reports. */
export type ExitClassifier = (lastLine: string, code: number | null, signal: NodeJS.Signals | null) => Error;

export class DecoderProcess extends Duplex {
  private readonly child: ChildProcessByStdio<Writable, Readable, Readable>;
  private stderr = '';
  private pendingWrite: (() => void) | undefined;
  private exited = false;

  constructor(program: string, args: readonly string[], classify: ExitClassifier) {
    // Generous buffers on both sides: the decoder should never wait for the event loop to hand
    // it input or take its output (it decompresses faster than the loop turns).
    super({ writableHighWaterMark: PIPE_BUFFER, readableHighWaterMark: PIPE_BUFFER });
    this.child = spawn(program, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout.on('data', (chunk: Buffer) => {
      if (!this.push(chunk)) this.child.stdout.pause();
    });
    this.child.stderr.on('data', (d: Buffer) => {
      if (this.stderr.length < 4096) this.stderr += d.toString();
    });
    // The decoder stops reading when it fails; the exit status says why, so a broken pipe is not the error.
    this.child.stdin.on('error', () => this.releaseWrite());
    this.child.on('error', (err) => this.destroy(new LayerFormatError('corrupt-compression', `cannot run ${program}: ${err.message}`)));
    this.child.on('close', (code, signal) => {
      this.exited = true;
      this.releaseWrite();
      if (this.destroyed) return;
      if (code === 0) this.push(null);
      else this.destroy(classify(this.stderr.trim().split('\n').pop() ?? '', code, signal));
    });
  }

  private releaseWrite(): void {
    const cb = this.pendingWrite;
    this.pendingWrite = undefined;
    cb?.();
  }

  override _read(): void {
    this.child.stdout.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (this.exited) return cb();
    this.child.stdin.write(chunk);
    // Let up to PIPE_BUFFER queue at the pipe (libuv writes it as the decoder reads, no JS hop per chunk).
    if (this.child.stdin.writableLength < PIPE_BUFFER) return cb();
    this.pendingWrite = cb;
    this.child.stdin.once('drain', () => this.releaseWrite());
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.child.stdin.end();
    cb();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    if (!this.exited) this.child.kill('SIGKILL');
    cb(err);
  }
}

/** The generic tail of a failure message: the program's own words, else how it ended. */
export function exitText(program: string, lastLine: string, code: number | null, signal: NodeJS.Signals | null): string {
  return lastLine || (signal ? `${program} killed by ${signal}` : `${program} exit ${code}`);
}
