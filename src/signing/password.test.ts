import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { resolvePassword } from './password.js';

/** A stand-in terminal: a stream with the raw-mode switch a TTY has. */
function fakeTty(typed: string[]): { input: NodeJS.ReadStream; output: NodeJS.WriteStream; shown: () => string; rawModes: boolean[] } {
  const input = new PassThrough() as unknown as NodeJS.ReadStream & { isRaw: boolean };
  const rawModes: boolean[] = [];
  Object.assign(input, {
    isTTY: true,
    isRaw: false,
    setRawMode(mode: boolean) {
      rawModes.push(mode);
      input.isRaw = mode;
      // Feed the next answer once the prompt switches to raw mode, as a person would type it.
      if (mode) {
        const next = typed.shift();
        if (next !== undefined) setImmediate(() => (input as unknown as PassThrough).write(next));
      }
      return input;
    },
  });
  let shown = '';
  const out = new PassThrough();
  out.on('data', (d: Buffer) => (shown += d.toString()));
  return { input, output: out as unknown as NodeJS.WriteStream, shown: () => shown, rawModes };
}

describe('resolvePassword', () => {
  it('prefers PORTCULLIS_PASSWORD, then COSIGN_PASSWORD (empty allowed)', async () => {
    expect(await resolvePassword({ env: { PORTCULLIS_PASSWORD: 'a', COSIGN_PASSWORD: 'b' } })).toBe('a');
    expect(await resolvePassword({ env: { COSIGN_PASSWORD: 'b' } })).toBe('b');
    expect(await resolvePassword({ env: { COSIGN_PASSWORD: '' } })).toBe('');
  });

  it('refuses to guess without a terminal', async () => {
    const input = new PassThrough() as unknown as NodeJS.ReadStream;
    await expect(resolvePassword({ env: {}, input })).rejects.toThrow(/PORTCULLIS_PASSWORD/);
  });

  it('prompts on a terminal without echoing, with confirmation', async () => {
    const tty = fakeTty(['s3cr\u007fret\r', 's3cret\n']);
    expect(await resolvePassword({ env: {}, input: tty.input, output: tty.output, confirm: true })).toBe('s3cret');
    expect(tty.shown()).toContain('Enter password for private key');
    expect(tty.shown()).not.toContain('s3c');
    expect(tty.rawModes).toEqual([true, false, true, false]);
  });

  it('fails when the confirmation differs', async () => {
    const tty = fakeTty(['one\r', 'two\r']);
    await expect(resolvePassword({ env: {}, input: tty.input, output: tty.output, confirm: true })).rejects.toThrow(/do not match/);
  });
});
