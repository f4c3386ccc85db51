import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DOCKER_HUB } from './reference.js';

/**
 * Registry credentials: explicit, or the docker CLI's `config.json` with its `auths` entries,
 * `credsStore` and per-registry `credHelpers` (external `docker-credential-NAME` programs).
 */

export interface Credentials {
  username?: string;
  password?: string;
  /** OAuth2 refresh token (docker's `identitytoken`); exchanged at the token endpoint. */
  identityToken?: string;
  /** A bearer token to present as is (docker's `registrytoken`). */
  registryToken?: string;
}

/** Returns credentials for a registry name as written in references (`docker.io`, `host:port`). */
export type CredentialResolver = (registry: string) => Promise<Credentials | undefined>;

interface DockerAuthEntry {
  auth?: string;
  username?: string;
  password?: string;
  identitytoken?: string;
  registrytoken?: string;
}

export interface DockerConfig {
  auths?: Record<string, DockerAuthEntry>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
}

/** The key docker uses for Docker Hub in `auths` and when asking helpers. */
export const DOCKER_HUB_AUTH_KEY = 'https://index.docker.io/v1/';

export function dockerConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env.DOCKER_CONFIG ?? join(env.HOME ?? homedir(), '.docker');
  return join(dir, 'config.json');
}

/** Reads a docker config; undefined when the file does not exist. A malformed file is an error, not silence. */
export async function loadDockerConfig(path: string): Promise<DockerConfig | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new Error(`${path}: not valid JSON`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new Error(`${path}: expected a JSON object`);
  return doc;
}

/** `https://host/v1/` or `host` → the registry name used in references. */
export function normalizeRegistryKey(key: string): string {
  let k = key.trim().replace(/^[a-z]+:\/\//i, '');
  const slash = k.indexOf('/');
  if (slash >= 0) k = k.slice(0, slash);
  k = k.toLowerCase();
  if (k === 'index.docker.io' || k === 'registry-1.docker.io') return DOCKER_HUB;
  return k;
}

function helperServerUrl(registry: string): string {
  return registry === DOCKER_HUB ? DOCKER_HUB_AUTH_KEY : registry;
}

function fromAuthEntry(entry: DockerAuthEntry): Credentials | undefined {
  const out: Credentials = {};
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw new Error('docker config: an "auth" entry is not base64 of "user:password"');
    out.username = decoded.slice(0, colon);
    out.password = decoded.slice(colon + 1);
  } else if (entry.username !== undefined) {
    out.username = entry.username;
    if (entry.password !== undefined) out.password = entry.password;
  }
  if (entry.identitytoken) out.identityToken = entry.identitytoken;
  if (entry.registrytoken) out.registryToken = entry.registrytoken;
  return Object.keys(out).length > 0 ? out : undefined;
}

const HELPER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const HELPER_TIMEOUT_MS = 30_000;
const HELPER_MAX_OUTPUT = 1 << 20;

export type HelperRunner = (program: string, stdin: string) => Promise<{ code: number; stdout: string; stderr: string }>;

/** Runs a program with the given stdin, bounded in time and output. */
export const runProgram: HelperRunner = (program, stdin) =>
  new Promise((resolveRun, reject) => {
    const child = execFile(program, ['get'], { timeout: HELPER_TIMEOUT_MS, maxBuffer: HELPER_MAX_OUTPUT, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err && typeof err.code !== 'number') {
        reject(new Error(`credential helper ${program}: ${err.message}`));
        return;
      }
      resolveRun({ code: err ? Number(err.code) : 0, stdout, stderr });
    });
    child.stdin?.end(stdin);
  });

/**
 * Asks `docker-credential-NAME get` for a server's credentials (protocol: server URL on stdin,
 * JSON `{ServerURL, Username, Secret}` on stdout; Username `<token>` means Secret is an identity token).
 */
export async function credentialsFromHelper(name: string, serverUrl: string, run: HelperRunner = runProgram): Promise<Credentials | undefined> {
  if (!HELPER_NAME.test(name)) throw new Error(`invalid credential helper name "${name}"`);
  const program = `docker-credential-${name}`;
  const { code, stdout, stderr } = await run(program, serverUrl);
  if (code !== 0) {
    if (/credentials not found/i.test(stdout + stderr)) return undefined;
    // The helper's own output may echo secrets; report only its exit status.
    throw new Error(`credential helper ${program} failed with exit code ${code}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(stdout);
  } catch {
    throw new Error(`credential helper ${program} did not answer with JSON`);
  }
  const rec = (typeof doc === 'object' && doc !== null ? doc : {}) as Record<string, unknown>;
  const username = typeof rec.Username === 'string' ? rec.Username : undefined;
  const secret = typeof rec.Secret === 'string' ? rec.Secret : undefined;
  if (!secret) return undefined;
  if (username === '<token>') return { identityToken: secret };
  return { username: username ?? '', password: secret };
}

export interface DockerConfigResolverOptions {
  /** Path of config.json; default from DOCKER_CONFIG or ~/.docker. */
  path?: string;
  /** Runs credential helpers; replaceable in tests. */
  run?: HelperRunner;
}

/** A resolver that consults credHelpers, then credsStore, then `auths`, as the docker CLI does. */
export function dockerConfigResolver(opts: DockerConfigResolverOptions = {}): CredentialResolver {
  const path = opts.path ?? dockerConfigPath();
  let loaded: Promise<DockerConfig | undefined> | undefined;
  return async (registry) => {
    loaded ??= loadDockerConfig(path);
    const config = await loaded;
    if (!config) return undefined;
    const wanted = normalizeRegistryKey(registry);
    const helper = Object.entries(config.credHelpers ?? {}).find(([k]) => normalizeRegistryKey(k) === wanted)?.[1];
    const serverUrl = helperServerUrl(wanted);
    if (helper) {
      const creds = await credentialsFromHelper(helper, serverUrl, opts.run);
      if (creds) return creds;
    } else if (config.credsStore) {
      const creds = await credentialsFromHelper(config.credsStore, serverUrl, opts.run);
      if (creds) return creds;
    }
    for (const [key, entry] of Object.entries(config.auths ?? {})) {
      if (normalizeRegistryKey(key) === wanted) return fromAuthEntry(entry);
    }
    return undefined;
  };
}

/** Explicit credentials win; otherwise the next resolver is asked. */
export function chainResolvers(...resolvers: (CredentialResolver | undefined)[]): CredentialResolver {
  return async (registry) => {
    for (const r of resolvers) {
      if (!r) continue;
      const creds = await r(registry);
      if (creds) return creds;
    }
    return undefined;
  };
}

/** Fixed credentials for one registry (or any registry when `registry` is omitted). */
export function staticCredentials(creds: Credentials, registry?: string): CredentialResolver {
  const wanted = registry === undefined ? undefined : normalizeRegistryKey(registry);
  return async (r) => (wanted === undefined || normalizeRegistryKey(r) === wanted ? creds : undefined);
}
