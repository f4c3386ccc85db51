import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { CORPUS } from '../../testing/corpus.js';
import { freePort } from '../../testing/net.js';

const run = promisify(execFile);

/** The shared Swift-with-S3 scripts (beside the corpus); absent outside the project machine. */
export const SWIFT_TOOLS = resolve(CORPUS, '../tools/swift-s3');
export const hasSwiftTools = existsSync(join(SWIFT_TOOLS, 'start-swift-s3.sh'));

export interface SwiftS3 {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  stop(): Promise<void>;
}

/**
 * Starts a private single-node Swift with the S3 API on free 127.0.0.1 ports, everything in a
 * temporary directory. Debian packages are not installed from here (scripts/install-test-deps.sh
 * does that) unless SWIFT_S3_INSTALL=1 is set.
 */
export async function startSwiftS3(): Promise<SwiftS3> {
  const base = await mkdtemp(join(tmpdir(), 'portcullis-swift-'));
  const [s3, obj, cont, acct, mc] = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort()];
  const env = {
    ...process.env,
    SWIFT_S3_PORT: String(s3),
    SWIFT_OBJ_PORT: String(obj),
    SWIFT_CONT_PORT: String(cont),
    SWIFT_ACCT_PORT: String(acct),
    SWIFT_MEMCACHE_PORT: String(mc),
    SWIFT_S3_INSTALL: process.env.SWIFT_S3_INSTALL ?? '0',
  };
  const stop = async (): Promise<void> => {
    await run(join(SWIFT_TOOLS, 'stop-swift-s3.sh'), [base, '--purge'], { env }).catch(() => undefined);
    await rm(base, { recursive: true, force: true });
  };
  try {
    await run(join(SWIFT_TOOLS, 'start-swift-s3.sh'), [base], { env, timeout: 110_000 });
  } catch (err) {
    await stop();
    const stderr = (err as { stderr?: string }).stderr ?? '';
    throw new Error(`could not start Swift S3: ${stderr.trim() || String(err)}`);
  }
  return {
    endpoint: `http://127.0.0.1:${s3}`,
    region: 'us-east-1',
    accessKeyId: 'test:tester',
    secretAccessKey: 'testing',
    stop,
  };
}
