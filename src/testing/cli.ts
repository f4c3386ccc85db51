import { Command } from 'commander';
import { vi } from 'vitest';

export interface CliRun {
  out: string;
  err: string;
  /** process.exitCode as the command left it (0 when unset). */
  code: number;
  /** What the command threw (commander usage errors included), if anything. */
  error?: Error;
}

/**
 * Runs a commander program in-process as `portcullis ARGS`, capturing stdout and stderr (console
 * included: vitest routes console around the streams). Leaves process.exitCode as it found it.
 */
export async function captureCli(program: Command, args: readonly string[]): Promise<CliRun> {
  let out = '';
  let err = '';
  const spies = [
    vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => ((out += c.toString()), true)),
    vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => ((err += c.toString()), true)),
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void (out += `${a.join(' ')}\n`)),
    vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void (err += `${a.join(' ')}\n`)),
  ];
  const saved = process.exitCode;
  process.exitCode = 0;
  let error: Error | undefined;
  try {
    await program.exitOverride().parseAsync(['node', 'portcullis', ...args]);
  } catch (e) {
    error = e instanceof Error ? e : new Error(String(e));
  } finally {
    for (const s of spies) s.mockRestore();
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = saved;
  return { out, err, code, ...(error ? { error } : {}) };
}

/** A fresh program with the given commands, run; returns stdout and throws what the command threw. */
export async function runCli(register: readonly ((program: Command) => void)[], args: readonly string[]): Promise<string> {
  const program = new Command('portcullis');
  for (const r of register) r(program);
  const run = await captureCli(program, args);
  if (run.error) throw run.error;
  return run.out;
}
