import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Environment for skopeo/buildah/podman confined to one directory: vfs storage, runc,
 * no network namespace, no search registries — nothing touches the host's container setup.
 */
export async function containersEnv(base: string): Promise<NodeJS.ProcessEnv> {
  for (const d of ['storage', 'run', 'tmp', 'net', 'volumes', 'home']) await mkdir(join(base, d), { recursive: true });
  await writeFile(join(base, 'storage.conf'), `[storage]\ndriver = "vfs"\ngraphroot = "${base}/storage"\nrunroot = "${base}/run"\n`);
  await writeFile(join(base, 'registries.conf'), 'unqualified-search-registries = []\nshort-name-mode = "permissive"\n');
  await writeFile(
    join(base, 'containers.conf'),
    [
      '[containers]',
      'netns = "none"',
      '[network]',
      `network_config_dir = "${base}/net"`,
      '[engine]',
      'cgroup_manager = "cgroupfs"',
      'events_logger = "file"',
      `events_logfile_path = "${base}/events.log"`,
      `tmp_dir = "${base}/tmp"`,
      `volume_path = "${base}/volumes"`,
      `static_dir = "${base}/storage/libpod"`,
      'runtime = "runc"',
      '',
    ].join('\n'),
  );
  return {
    ...process.env,
    HOME: join(base, 'home'),
    XDG_RUNTIME_DIR: join(base, 'run'),
    CONTAINERS_STORAGE_CONF: join(base, 'storage.conf'),
    CONTAINERS_REGISTRIES_CONF: join(base, 'registries.conf'),
    CONTAINERS_CONF: join(base, 'containers.conf'),
    STORAGE_DRIVER: 'vfs',
    BUILDAH_ISOLATION: 'chroot',
    TMPDIR: join(base, 'tmp'),
  };
}

/** Runs a container tool; on failure the error carries its stderr. */
export async function tool(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 300_000): Promise<string> {
  try {
    const { stdout } = await run(cmd, args, { env, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed: ${e.stderr || e.message}`);
  }
}
