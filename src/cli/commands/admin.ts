import type { Command } from 'commander';
import { ApiClient, ApiClientError, USERNAME_HELP, connectionFrom, type ConnectionOptions } from '../../server/api/client.js';

function client(cmd: Command): ApiClient {
  return new ApiClient(connectionFrom(cmd.optsWithGlobals<ConnectionOptions>()));
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** Runs an action, turning API errors into one line on stderr and exit status 1. */
function run<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (err) {
      if (err instanceof ApiClientError || (err instanceof Error && err.name === 'TypeError')) {
        console.error(`error: ${err.message}`);
        process.exitCode = 1;
        return;
      }
      throw err;
    }
  };
}

function table(rows: Record<string, unknown>[], columns: string[]): void {
  const cell = (v: unknown): string => {
    if (v === null || v === undefined) return '-';
    if (Array.isArray(v)) return v.map(cell).join(',');
    if (typeof v === 'string') return v;
    return typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
  };
  const cells = rows.map((r) => columns.map((c) => cell(r[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i]!.length)));
  const line = (vals: string[]): string => vals.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd();
  console.log(line(columns.map((c) => c.toUpperCase())));
  for (const row of cells) console.log(line(row));
}

export function registerAdmin(program: Command): void {
  const admin = program
    .command('admin')
    .description('manage users, projects, members and robot accounts through the server API')
    .option('--server <url>', 'server URL (also PORTCULLIS_SERVER)', undefined)
    .option('--username <name>', USERNAME_HELP);

  const user = admin.command('user').description('user accounts');
  user
    .command('create <name>')
    .description('create a user, reading the password from standard input')
    .requiredOption('--password-stdin', 'read the new password from standard input')
    .option('--admin', 'make the user a system administrator')
    .action(run(async (name: string, opts: { admin?: boolean }, cmd: Command) => {
      const password = await readStdin();
      await client(cmd).request('POST', '/users', { name, password, admin: opts.admin === true });
      console.log(`created user ${name}`);
    }));
  user
    .command('list')
    .action(run(async (_opts: unknown, cmd: Command) => table(await client(cmd).all('/users'), ['name', 'admin', 'created_at'])));
  user
    .command('delete <name>')
    .action(run(async (name: string, _opts: unknown, cmd: Command) => {
      await client(cmd).request('DELETE', `/users/${encodeURIComponent(name)}`);
      console.log(`deleted user ${name}`);
    }));

  const project = admin.command('project').description('projects');
  project
    .command('create <name>')
    .option('--public', 'anyone may pull without logging in')
    .action(run(async (name: string, opts: { public?: boolean }, cmd: Command) => {
      await client(cmd).request('POST', '/projects', { name, public: opts.public === true });
      console.log(`created project ${name}`);
    }));
  project
    .command('list')
    .action(run(async (_opts: unknown, cmd: Command) => table(await client(cmd).all('/projects'), ['name', 'public', 'created_at'])));

  const member = admin.command('member').description('project members');
  member
    .command('add <project> <user> <role>')
    .description('role: projectAdmin | maintainer | developer | guest')
    .action(run(async (projectName: string, userName: string, role: string, _opts: unknown, cmd: Command) => {
      await client(cmd).request('POST', `/projects/${encodeURIComponent(projectName)}/members`, { user: userName, role });
      console.log(`added ${userName} to ${projectName} as ${role}`);
    }));

  const robot = admin.command('robot').description('robot accounts');
  robot
    .command('create <project> <name>')
    .requiredOption('--actions <list>', 'comma-separated: pull,push,delete')
    .option('--expires <days>', 'expire after this many days')
    .action(run(async (projectName: string, name: string, opts: { actions: string; expires?: string }, cmd: Command) => {
      const body: Record<string, unknown> = { name, actions: opts.actions.split(',').map((a) => a.trim()).filter(Boolean) };
      if (opts.expires !== undefined) body.expires_in_days = Number(opts.expires);
      const { data } = await client(cmd).request<{ name: string; secret: string; expires_at: string | null }>(
        'POST', `/projects/${encodeURIComponent(projectName)}/robots`, body,
      );
      console.log(`robot account: ${data.name}`);
      console.log(`secret:        ${data.secret}`);
      console.log(`expires:       ${data.expires_at ?? 'never'}`);
      console.log('The secret is shown only now; store it safely.');
    }));
  robot
    .command('list <project>')
    .action(run(async (projectName: string, _opts: unknown, cmd: Command) =>
      table(await client(cmd).all(`/projects/${encodeURIComponent(projectName)}/robots`), ['name', 'actions', 'expires_at', 'revoked']),
    ));
  robot
    .command('revoke <project> <name>')
    .action(run(async (projectName: string, name: string, _opts: unknown, cmd: Command) => {
      const { data } = await client(cmd).request<{ name: string }>('DELETE', `/projects/${encodeURIComponent(projectName)}/robots/${encodeURIComponent(name)}`);
      console.log(`revoked ${data.name}`);
    }));
}
