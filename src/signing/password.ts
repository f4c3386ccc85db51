/**
 * The key password: PORTCULLIS_PASSWORD, else COSIGN_PASSWORD (so cosign users' CI keeps
 * working), else an interactive prompt without echo when stdin is a terminal.
 */

export interface PasswordOptions {
  env?: NodeJS.ProcessEnv;
  /** Ask twice and require both answers to match (when creating a key). */
  confirm?: boolean;
  input?: NodeJS.ReadStream;
  output?: NodeJS.WriteStream;
}

export async function resolvePassword(opts: PasswordOptions = {}): Promise<string> {
  const env = opts.env ?? process.env;
  const fromEnv = env.PORTCULLIS_PASSWORD ?? env.COSIGN_PASSWORD;
  if (fromEnv !== undefined) return fromEnv;
  const input = opts.input ?? process.stdin;
  const output = opts.output ?? process.stderr;
  if (!input.isTTY) throw new Error('a key password is needed: set PORTCULLIS_PASSWORD (or COSIGN_PASSWORD), or run on a terminal');
  const first = await promptHidden('Enter password for private key: ', input, output);
  if (opts.confirm) {
    const again = await promptHidden('Enter password for private key again: ', input, output);
    if (again !== first) throw new Error('passwords do not match');
  }
  return first;
}

/** Reads one line from a TTY in raw mode, echoing nothing. */
export function promptHidden(prompt: string, input: NodeJS.ReadStream, output: NodeJS.WriteStream): Promise<string> {
  return new Promise((resolveLine, reject) => {
    output.write(prompt);
    const wasRaw = input.isRaw;
    input.setRawMode(true);
    input.resume();
    let value = '';
    const done = (err?: Error): void => {
      input.setRawMode(wasRaw);
      input.pause();
      input.off('data', onData);
      output.write('\n');
      if (err) reject(err);
      else resolveLine(value);
    };
    const onData = (chunk: Buffer): void => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(new Error('interrupted'));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    input.on('data', onData);
  });
}
