import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, configFromEnv, loadServerConfig } from './load.js';

async function file(text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'portcullis-config-'));
  const path = join(dir, 'config.yaml');
  await writeFile(path, text);
  return path;
}

describe('server configuration', () => {
  it('has the embedded defaults', async () => {
    const c = await loadServerConfig({ env: {} });
    expect(c.addr).toBe('127.0.0.1:5000');
    expect(c.dataDir).toBe('./portcullis-data');
    expect(c.storage).toBeUndefined();
    expect(c.metadata).toBeUndefined();
    expect(c.uploads.expireAfter).toBe(86400);
  });

  it('layers file < environment < flags', async () => {
    const path = await file('addr: 127.0.0.1:6000\ndataDir: /from/file\nlog:\n  level: debug\nuploads:\n  expireAfter: 2h\n');
    const c = await loadServerConfig({
      file: path,
      env: { PORTCULLIS_DATA_DIR: '/from/env', PORTCULLIS_LOG__LEVEL: 'warn' },
      flags: { dataDir: '/from/flag' },
    });
    expect(c.addr).toBe('127.0.0.1:6000');
    expect(c.dataDir).toBe('/from/flag');
    expect(c.log.level).toBe('warn');
    expect(c.uploads.expireAfter).toBe(7200);
  });

  it('maps nested environment variables and leaves other PORTCULLIS_ variables alone', () => {
    expect(configFromEnv({ PORTCULLIS_STORAGE__DRIVER: 's3', PORTCULLIS_INSECURE: 'true', PORTCULLIS_ADMIN_PASSWORD: 'x', HOME: '/root' })).toEqual({
      storage: { driver: 's3' },
      insecure: true,
    });
  });

  it('reports every invalid field by path', async () => {
    const path = await file('addr: nowhere\nlog:\n  level: loud\nlimits:\n  maxManifestBytes: 5\nbogus: 1\n');
    const err = await loadServerConfig({ file: path, env: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    const paths = (err as ConfigError).issues.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['addr', 'log.level', 'limits.maxManifestBytes', '(root)']));
    expect((err as ConfigError).message).toMatch(/addr: expected HOST:PORT/);
  });

  it('validates the storage and metadata sections with their own schemas', async () => {
    const path = await file('storage:\n  driver: floppy\nmetadata:\n  driver: postgres\n');
    const err = (await loadServerConfig({ file: path, env: {} }).catch((e: unknown) => e)) as ConfigError;
    expect(err.issues.map((i) => i.path)).toEqual(expect.arrayContaining(['storage.driver', 'metadata.url']));
  });

  it('explains unreadable and malformed files', async () => {
    await expect(loadServerConfig({ file: '/nonexistent/portcullis.yaml', env: {} })).rejects.toThrow(/cannot read config file/);
    await expect(loadServerConfig({ file: await file('addr: [unclosed'), env: {} })).rejects.toThrow(/not valid YAML/);
    await expect(loadServerConfig({ file: await file('- a list'), env: {} })).rejects.toThrow(/must hold a mapping/);
  });
});
