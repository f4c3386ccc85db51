import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { Duplex } from 'node:stream';
import type { Readable, Writable } from 'node:stream';
import { LayerFormatError, LayerLimitError } from './types.js';

/**
 * zstd decompression by the reference `zstd` program in a child process: native speed (several
 * times fzstd's) and the decoder runs outside this process, so neither the event loop nor a worker
 * thread spends CPU on it. Pipes keep back-pressure, so memory stays bounded; `--memory` bounds the
 * window the same way ZstdFrameGuard does for fzstd.
 */

let available: boolean | undefined;

const PIPE_BUFFER = 1024 * 1024;

/**
 * Whether a `zstd` executable is on PATH (looked up once). A file lookup, not a trial run: running
 * `zstd --version` blocks the event loop for tens of milliseconds on a busy machine.
 */
export function hasZstdBinary(): boolean {
  if (available === undefined) {
    available = (process.env.PATH ?? '').split(delimiter).some((dir) => {
      if (!dir) return false;
      try {
        accessSync(join(dir, 'zstd'), constants.X_OK);
        return statSync(join(dir, 'zstd')).isFile();
      } catch {
        return false;
      }
    });
  }
  return available;
}

export class ZstdProcessStream extends Duplex {
  private readonly child: ChildProcessByStdio<Writable, Readable, Readable>;
  private stderr = '';
  private pendingWrite: (() => void) | undefined;
  private exited = false;

  constructor(maxWindow: number) {
    // Generous buffers on both sides: the zstd process should never wait for the event loop to
    // hand it input or take its output (it decompresses faster than the loop turns).
    super({ writableHighWaterMark: PIPE_BUFFER, readableHighWaterMark: PIPE_BUFFER });
    const memMb = Math.max(1, Math.ceil(maxWindow / (1024 * 1024)));
    this.child = spawn('zstd', ['-d', '-c', '-q', `--memory=${memMb}MB`], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout.on('data', (chunk: Buffer) => {
      if (!this.push(chunk)) this.child.stdout.pause();
    });
    this.child.stderr.on('data', (d: Buffer) => {
      if (this.stderr.length < 4096) this.stderr += d.toString();
    });
    // zstd stops reading when it fails; the exit status says why, so a broken pipe is not the error.
    this.child.stdin.on('error', () => this.releaseWrite());
    this.child.on('error', (err) => this.destroy(new LayerFormatError('corrupt-compression', `cannot run zstd: ${err.message}`)));
    this.child.on('close', (code, signal) => {
      this.exited = true;
      this.releaseWrite();
      if (this.destroyed) return;
      if (code === 0) this.push(null);
      else this.destroy(this.failure(code, signal));
    });
  }

  private releaseWrite(): void {
    const cb = this.pendingWrite;
    this.pendingWrite = undefined;
    cb?.();
  }

  private failure(code: number | null, signal: NodeJS.Signals | null): Error {
    const msg = this.stderr.trim().split('\n').pop() ?? '';
    if (/memory|window/i.test(msg)) return new LayerLimitError('zstd-window', `zstd frame needs too much memory: ${msg}`);
    if (/premature end|unexpected end|truncated|incomplete/i.test(msg)) {
      return new LayerFormatError('truncated', 'zstd stream is truncated (ends inside a frame)');
    }
    return new LayerFormatError('corrupt-compression', `corrupt zstd data: ${msg || (signal ? `zstd killed by ${signal}` : `zstd exit ${code}`)}`);
  }

  override _read(): void {
    this.child.stdout.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (this.exited) return cb();
    this.child.stdin.write(chunk);
    // Let up to PIPE_BUFFER queue at the pipe (libuv writes it as zstd reads, no JS hop per chunk).
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
