import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serverConfigSchema, type ServerConfigInput } from '../config/schema.js';
import { startServer, type RunningServer } from '../server/serve.js';

export interface TestServer extends RunningServer {
  dataDir: string;
  /** host:port, as clients such as skopeo want it. */
  hostPort: string;
  stop(): Promise<void>;
}

/** Password of the `admin` account of every test server. */
export const TEST_ADMIN_PASSWORD = 'admin-password-for-tests';

/**
 * A real Portcullis server on a free loopback port with its own temporary data directory.
 * The /v2 API is open unless the overrides enable auth (protocol tests are about the protocol;
 * the access-control suites turn it on); the security gates are off unless the overrides enable them.
 */
export async function startTestServer(overrides: Partial<ServerConfigInput> = {}): Promise<TestServer> {
  const dataDir = overrides.dataDir ?? (await mkdtemp(join(tmpdir(), 'portcullis-test-')));
  const config = serverConfigSchema.parse({ addr: '127.0.0.1:0', log: { level: 'silent' }, auth: { enabled: false }, gates: { enabled: false }, ...overrides, dataDir });
  const server = await startServer(config, { adminPassword: TEST_ADMIN_PASSWORD });
  return {
    ...server,
    dataDir,
    hostPort: server.url.replace(/^https?:\/\//, ''),
    async stop() {
      await server.close();
      if (!overrides.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Calls the management API of a test server as `admin`; the body goes as JSON. */
export async function adminApi<T = unknown>(srv: { url: string }, method: string, path: string, body?: unknown): Promise<{ status: number; json: T; text: string }> {
  const res = await fetch(`${srv.url}/api/v1${path}`, {
    method,
    headers: {
      authorization: `Basic ${Buffer.from(`admin:${TEST_ADMIN_PASSWORD}`).toString('base64')}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  let json: unknown = undefined;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON (e.g. a PEM or an empty 204)
  }
  return { status: res.status, json: json as T, text };
}
