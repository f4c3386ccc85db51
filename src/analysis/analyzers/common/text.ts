import type { FileMeta } from '../../analyzer.js';
import type { Warning } from '../../types.js';

/** Decodes UTF-8 leniently (package databases are text; a bad byte must not lose the file). */
export function utf8(buf: Buffer): string {
  const s = buf.toString('utf8');
  return s.charCodeAt(0) === 0xfeff ? s.slice(1) : s;
}

export function basename(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? path : path.slice(i + 1);
}

export function dirname(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

export function warning(code: string, message: string, path?: string): Warning {
  return path === undefined ? { code, message } : { code, message, path };
}

/** Runs a per-file parser, turning anything it throws into a warning so analyze() never throws. */
export function guarded<T>(
  file: { meta: FileMeta },
  warnings: Warning[],
  code: string,
  fn: () => T,
): T | undefined {
  try {
    return fn();
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    warnings.push(warning(code, `${file.meta.path}: ${msg}`, file.meta.path));
    return undefined;
  }
}

/** Parses JSON, returning undefined (not throwing) on bad input. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
