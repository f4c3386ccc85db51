import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { serverConfigSchema, type ServerConfig } from './schema.js';

export class ConfigError extends Error {
  constructor(
    message: string,
    readonly issues: { path: string; message: string }[] = [],
  ) {
    super(issues.length ? `${message}:\n${issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}` : message);
    this.name = 'ConfigError';
  }
}

type Tree = Record<string, unknown>;

const camel = (s: string) => s.toLowerCase().replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());

function scalar(value: string): unknown {
  if (value === 'true') return true;
  if (value === 'false') return false;
  if (/^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  return value;
}

function setPath(tree: Tree, path: string[], value: unknown): void {
  let node = tree;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Tree;
  }
  node[path[path.length - 1]!] = value;
}

function merge(base: Tree, over: Tree): Tree {
  const out: Tree = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    if (v && typeof v === 'object' && !Array.isArray(v) && b && typeof b === 'object' && !Array.isArray(b)) out[k] = merge(b as Tree, v as Tree);
    else out[k] = v;
  }
  return out;
}

/**
 * PORTCULLIS_* variables: `PORTCULLIS_DATA_DIR` → dataDir, nested keys with a double
 * underscore (`PORTCULLIS_STORAGE__DRIVER=s3`, `PORTCULLIS_LOG__LEVEL=debug`).
 * Variables that belong to other features (admin password, cache dir, ...) are not config keys.
 */
const NOT_CONFIG = new Set(['CONFIG', 'ADMIN_PASSWORD', 'CACHE_DIR', 'PASSWORD', 'USERNAME', 'CORPUS_NOTICE_SHOWN']);

export function configFromEnv(env: NodeJS.ProcessEnv): Tree {
  const tree: Tree = {};
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('PORTCULLIS_') || value === undefined) continue;
    const key = name.slice('PORTCULLIS_'.length);
    if (NOT_CONFIG.has(key) || key.startsWith('SCAN_') || key.startsWith('DB_')) continue;
    setPath(tree, key.split('__').map(camel), scalar(value));
  }
  return tree;
}

function issuesOf(err: z.ZodError): { path: string; message: string }[] {
  return err.issues.map((i) => ({ path: i.path.join('.') || '(root)', message: i.message }));
}

export interface LoadOptions {
  file?: string;
  env?: NodeJS.ProcessEnv;
  /** Values from command-line flags (highest precedence). */
  flags?: Tree;
}

/** Defaults < config file (YAML) < environment < flags, validated with field-level messages. */
export async function loadServerConfig(opts: LoadOptions = {}): Promise<ServerConfig> {
  const env = opts.env ?? process.env;
  const file = opts.file ?? env.PORTCULLIS_CONFIG;
  let fromFile: Tree = {};
  if (file) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      throw new ConfigError(`cannot read config file ${file}: ${(err as Error).message}`);
    }
    let doc: unknown;
    try {
      doc = parseYaml(text);
    } catch (err) {
      throw new ConfigError(`config file ${file} is not valid YAML: ${(err as Error).message}`);
    }
    if (doc !== null && doc !== undefined && (typeof doc !== 'object' || Array.isArray(doc))) throw new ConfigError(`config file ${file} must hold a mapping`);
    fromFile = (doc ?? {}) as Tree;
  }
  const merged = merge(merge(fromFile, configFromEnv(env)), opts.flags ?? {});
  const result = serverConfigSchema.safeParse(merged);
  if (!result.success) throw new ConfigError(`invalid configuration${file ? ` (${file})` : ''}`, issuesOf(result.error));
  return result.data;
}
