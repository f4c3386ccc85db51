/**
 * A throwaway PostgreSQL 15 server for tests: initdb into a temp dir, listen on a free
 * 127.0.0.1 port (unix socket inside the temp dir), fsync off. PostgreSQL refuses to run as
 * root, so as root the server runs as the unprivileged `postgres` user (created if missing).
 * Missing binaries are an error, not a skip: CI installs them (scripts/install-test-deps.sh).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './net.js';

export interface PostgresServer {
  /** Connection URL of the `postgres` database, user `portcullis`, no password (trust auth on 127.0.0.1). */
  url: string;
  /** Temp directory holding the cluster and its socket; removed by stop(). */
  dir: string;
  /** Creates an empty database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

const BIN_DIRS = [process.env.PORTCULLIS_PG_BIN, '/usr/lib/postgresql/15/bin'].filter(
  (d): d is string => typeof d === 'string' && d !== '',
);
const RUN_AS = 'postgres';
const SUPERUSER = 'portcullis';
const READY_TIMEOUT_MS = 30_000;

function findBinDir(): string {
  for (const dir of BIN_DIRS) {
    if (existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'postgres'))) return dir;
  }
  throw new Error(
    `PostgreSQL 15 binaries not found (looked in ${BIN_DIRS.join(', ')}); ` +
      'install them with scripts/install-test-deps.sh (Debian package "postgresql"), ' +
      'or point PORTCULLIS_PG_BIN at the directory holding initdb and postgres',
  );
}

interface RunAs {
  /** Command prefix that drops privileges (empty when not root). */
  prefix: string[];
  /**
   * Prefix for the long-running server: also asks the kernel to SIGKILL postgres if the
   * test process dies without calling stop() (a runner killed on timeout leaks nothing).
   */
  serverPrefix: string[];
  uid?: number;
  gid?: number;
}

function ensureUnprivilegedUser(): RunAs {
  if (process.getuid?.() !== 0) {
    const hasSetpriv = spawnSync('setpriv', ['--version']).status === 0;
    return { prefix: [], serverPrefix: hasSetpriv ? ['setpriv', '--pdeathsig', 'SIGKILL', '--'] : [] };
  }
  let ids = idsOf(RUN_AS);
  if (!ids) {
    const made = spawnSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', RUN_AS], {
      encoding: 'utf8',
    });
    ids = idsOf(RUN_AS);
    if (!ids) throw new Error(`cannot create the unprivileged user "${RUN_AS}" for PostgreSQL: ${made.stderr}`);
  }
  // setpriv execs in place (no intermediate process), so signals reach postgres itself.
  const drop = ['setpriv', `--reuid=${ids.uid}`, `--regid=${ids.gid}`, '--clear-groups'];
  return {
    prefix: [...drop, '--'],
    serverPrefix: [...drop, '--pdeathsig', 'SIGKILL', '--'],
    uid: ids.uid,
    gid: ids.gid,
  };
}

function idsOf(user: string): { uid: number; gid: number } | undefined {
  const uid = spawnSync('id', ['-u', user], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', user], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0) return undefined;
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

function run(argv: string[], cwd: string): void {
  const [cmd, ...args] = argv;
  if (cmd === undefined) throw new Error('empty command');
  const res = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, LC_ALL: 'C.UTF-8' } });
  if (res.status !== 0) {
    throw new Error(`${argv.join(' ')} failed (${res.status ?? res.signal}): ${res.stderr || res.stdout}`);
  }
}

async function waitReady(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`postgres exited during startup (${child.exitCode ?? child.signalCode}):\n${log()}`);
    }
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.query('select 1');
      await client.end();
      return;
    } catch (err) {
      lastError = err;
      await client.end().catch(() => undefined);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`postgres not ready after ${READY_TIMEOUT_MS} ms: ${String(lastError)}\n${log()}`);
}

const DIR_PREFIX = 'portcullis-pg-';
const STALE_AFTER_MS = 5 * 60_000;

/**
 * Removes directories of servers whose test process was killed (the kernel killed the
 * server, see serverPrefix, but nobody removed the files): old, and no live postmaster.
 */
async function sweepStaleDirs(): Promise<void> {
  const names = await readdir(tmpdir()).catch(() => [] as string[]);
  for (const name of names) {
    if (!name.startsWith(DIR_PREFIX)) continue;
    const dir = join(tmpdir(), name);
    try {
      if (Date.now() - (await stat(dir)).mtimeMs < STALE_AFTER_MS) continue;
      const pidText = await readFile(join(dir, 'data', 'postmaster.pid'), 'utf8').catch(() => '');
      const pid = Number(pidText.split('\n')[0]);
      if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) continue;
      await rm(dir, { recursive: true, force: true });
    } catch {
      // Someone else's directory vanished or is not ours to read: leave it.
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function startPostgres(): Promise<PostgresServer> {
  const bin = findBinDir();
  const runAs = ensureUnprivilegedUser();
  await sweepStaleDirs();
  const dir = await mkdtemp(join(tmpdir(), DIR_PREFIX));
  const data = join(dir, 'data');
  const sockets = join(dir, 'sock');
  let child: ChildProcess | undefined;
  try {
    await mkdir(sockets);
    if (runAs.uid !== undefined && runAs.gid !== undefined) {
      await chown(dir, runAs.uid, runAs.gid);
      await chown(sockets, runAs.uid, runAs.gid);
    }
    run(
      [
        ...runAs.prefix,
        join(bin, 'initdb'),
        '-D',
        data,
        '-U',
        SUPERUSER,
        '--auth=trust',
        '--encoding=UTF8',
        '--locale=C.UTF-8',
        '--no-sync',
      ],
      dir,
    );
    const port = await freePort();
    const args = [
      ...runAs.serverPrefix,
      join(bin, 'postgres'),
      '-D',
      data,
      '-p',
      String(port),
      '-k',
      sockets,
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
      '-c',
      'max_connections=200',
    ];
    const [cmd, ...rest] = args as [string, ...string[]];
    const proc = spawn(cmd, rest, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    let output = '';
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-8192);
    };
    proc.stdout?.on('data', keep);
    proc.stderr?.on('data', keep);
    // A test runner that dies must not leave a server behind.
    const killOnExit = (): void => {
      proc.kill('SIGKILL');
    };
    process.once('exit', killOnExit);

    const url = `postgres://${SUPERUSER}@127.0.0.1:${port}/postgres`;
    await waitReady(url, proc, () => output);

    let stopped = false;
    return {
      url,
      dir,
      async createDatabase(name: string): Promise<string> {
        if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`invalid database name ${name}`);
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        try {
          await client.query(`create database ${name} template template0`);
        } finally {
          await client.end();
        }
        return `postgres://${SUPERUSER}@127.0.0.1:${port}/${name}`;
      },
      async stop(): Promise<void> {
        if (stopped) return;
        stopped = true;
        process.removeListener('exit', killOnExit);
        await stopProcess(proc);
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    if (child) await stopProcess(child);
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

/** Fast shutdown (SIGINT: abort sessions, clean exit); SIGKILL if it takes too long. */
async function stopProcess(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  proc.kill('SIGINT');
  const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
