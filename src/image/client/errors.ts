/** One entry of an OCI / Docker distribution error body: `{"errors":[{code,message,detail}]}`. */
export interface OciErrorEntry {
  code: string;
  message: string;
  detail?: unknown;
}

/** A registry answered with an error status. `code` is the first OCI error code, when the body had one. */
export class RegistryError extends Error {
  readonly status: number;
  readonly code: string | undefined;
  readonly errors: OciErrorEntry[];
  readonly method: string;
  readonly url: string;

  constructor(args: { status: number; method: string; url: string; errors: OciErrorEntry[]; message?: string }) {
    const first = args.errors[0];
    const what = first ? `${first.code}: ${first.message}` : (args.message ?? `HTTP ${args.status}`);
    super(`${args.method} ${redactUrl(args.url)}: ${what}`);
    this.name = 'RegistryError';
    this.status = args.status;
    this.code = first?.code;
    this.errors = args.errors;
    this.method = args.method;
    this.url = redactUrl(args.url);
  }

  /** True when the registry said the thing does not exist (404 or a *_UNKNOWN code). */
  get notFound(): boolean {
    return this.status === 404 || (this.code !== undefined && this.code.endsWith('_UNKNOWN'));
  }
}

/** The bytes the client received do not hash to the digest they were asked for or announced with. */
export class DigestMismatchError extends Error {
  constructor(
    readonly expected: string,
    readonly actual: string,
    what: string,
  ) {
    super(`${what}: digest mismatch, expected ${expected}, got ${actual}`);
    this.name = 'DigestMismatchError';
  }
}

/** Parses an error body; tolerant of non-JSON bodies and of registries that send `{"details":…}`. */
export function parseOciErrors(body: string): OciErrorEntry[] {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    return [];
  }
  if (typeof doc !== 'object' || doc === null) return [];
  const list = (doc as { errors?: unknown }).errors;
  if (!Array.isArray(list)) return [];
  const out: OciErrorEntry[] = [];
  for (const e of list) {
    if (typeof e !== 'object' || e === null) continue;
    const rec = e as Record<string, unknown>;
    const code = typeof rec.code === 'string' ? rec.code : 'UNKNOWN';
    const message = typeof rec.message === 'string' ? rec.message : '';
    const entry: OciErrorEntry = { code, message };
    if (rec.detail !== undefined) entry.detail = rec.detail;
    out.push(entry);
  }
  return out;
}

/** Query strings may carry upload state tokens; userinfo may carry passwords. Neither belongs in an error message. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    u.search = u.search ? '?…' : '';
    return u.toString();
  } catch {
    return url;
  }
}
