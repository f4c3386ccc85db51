import { KeywordPrefilter } from './prefilter.js';
import { BUILTIN_RULES } from './rules/index.js';
import { isBinary, isPlaceholder, lineAt, maskSecret, shannonEntropy } from './text.js';
import type { SecretRule } from './types.js';

/**
 * Paths where text is documentation, headers or test fixtures of third-party code. Secrets found
 * there are examples; a real leak lives in configuration and application files.
 */
export const DEFAULT_ALLOW_PATHS: readonly string[] = [
  '^/usr/share/(?:doc|man|info|locale|i18n|zoneinfo|common-licenses|help)/',
  '^/usr/include/',
  '/node_modules/(?:.*/)?(?:test|tests|__tests__|example|examples|docs?)/',
  '/(?:site|dist)-packages/(?:.*/)?tests?/',
  // The interpreters' own libraries: docstring examples (`passwd='geheim$parole'`), never config.
  '^/usr/lib/python3(?:\\.\\d+)?/(?!site-packages/|dist-packages/)',
  '^/usr/(?:share|lib)/perl5?/',
  // Type declarations describe APIs; they hold no values.
  '\\.d\\.[cm]?ts$',
];

export const DEFAULT_MAX_FILE_SIZE = 10 * 1024 * 1024;
const IDENT = /[A-Za-z0-9_.-]/;
/** A hostile file full of tokens must not produce unbounded output. */
const MAX_MATCHES_PER_RULE = 50;

export interface SecretScannerOptions {
  /** Rules to use (default: every built-in rule). Custom rules are appended to these by the config. */
  rules?: readonly SecretRule[];
  disabledRules?: readonly string[];
  /** Extra path regexes (absolute virtual paths) to skip. */
  allowPaths?: readonly string[];
  /** Extra regexes: a secret matching one is never reported. */
  allowValues?: readonly string[];
  /** Replace DEFAULT_ALLOW_PATHS instead of adding to them. */
  defaultAllowPaths?: readonly string[];
  maxFileSize?: number;
}

/**
 * Where the text comes from. In files, documentation values (AWS's `AKIAIOSFODNN7EXAMPLE`) and allowed
 * paths are silent; in the image config (Env, labels, history) a credential is a finding whatever
 * its value, because of where it is.
 */
export type ScanContext = 'file' | 'config';

export interface SecretMatch {
  rule: SecretRule;
  /** Offsets of the secret in the scanned text (latin1, so byte offsets for files). */
  start: number;
  end: number;
  /** Offset of the start of the whole match. */
  offset: number;
  /** 1-based line of the start of the match. */
  line: number;
  /** The match with the secret masked, on one line. */
  masked: string;
}

export type SkipReason = 'binary' | 'too-large' | 'allowed-path';

interface CompiledRule {
  rule: SecretRule;
  index: number;
  re: RegExp;
  allowValues: RegExp[];
  allowPaths: RegExp[];
}

function compile(source: string, flags: string, what: string): RegExp {
  try {
    return new RegExp(source, flags);
  } catch (err) {
    throw new Error(`${what}: invalid regular expression: ${(err as Error).message}`);
  }
}

export class SecretScanner {
  readonly rules: readonly SecretRule[];
  readonly maxFileSize: number;
  private readonly compiled: CompiledRule[];
  private readonly prefilter: KeywordPrefilter;
  /** keyword id -> indexes of the rules that keyword enables. */
  private readonly keywordRules: number[][];
  private readonly allowPaths: RegExp[];
  private readonly allowValues: RegExp[];

  constructor(options: SecretScannerOptions = {}) {
    const disabled = new Set(options.disabledRules ?? []);
    this.rules = (options.rules ?? BUILTIN_RULES).filter((r) => !disabled.has(r.id));
    this.maxFileSize = options.maxFileSize ?? DEFAULT_MAX_FILE_SIZE;
    this.compiled = this.rules.map((rule, index) => {
      const flags = new Set([...(rule.flags ?? ''), 'g', 'd']);
      return {
        rule,
        index,
        re: compile(rule.regex, [...flags].join(''), `rule ${rule.id}`),
        allowValues: (rule.allowValues ?? []).map((s) => compile(s, '', `rule ${rule.id} allowValues`)),
        allowPaths: (rule.allowPaths ?? []).map((s) => compile(s, '', `rule ${rule.id} allowPaths`)),
      };
    });
    const keywordIds = new Map<string, number>();
    this.keywordRules = [];
    this.compiled.forEach((c) => {
      if (c.rule.keywords.length === 0) throw new Error(`rule ${c.rule.id}: at least one keyword is required`);
      for (const kw of c.rule.keywords) {
        const key = kw.toLowerCase();
        let id = keywordIds.get(key);
        if (id === undefined) {
          id = keywordIds.size;
          keywordIds.set(key, id);
          this.keywordRules.push([]);
        }
        this.keywordRules[id]!.push(c.index);
      }
    });
    this.prefilter = new KeywordPrefilter([...keywordIds.keys()]);
    this.allowPaths = [...(options.defaultAllowPaths ?? DEFAULT_ALLOW_PATHS), ...(options.allowPaths ?? [])].map((s) =>
      compile(s, '', 'allowPaths'),
    );
    this.allowValues = (options.allowValues ?? []).map((s) => compile(s, '', 'allowValues'));
  }

  /** Whether a file is skipped before reading it (by path and size). */
  skipBeforeRead(path: string, size: number): SkipReason | undefined {
    if (size > this.maxFileSize) return 'too-large';
    if (this.allowPaths.some((re) => re.test(path))) return 'allowed-path';
    return undefined;
  }

  /** Scans one file's bytes; binary and oversized content is skipped. */
  scanFile(path: string, content: Buffer): { matches: SecretMatch[]; skipped?: SkipReason } {
    const skipped = this.skipBeforeRead(path, content.length) ?? (isBinary(content) ? 'binary' : undefined);
    if (skipped) return { matches: [], skipped };
    return { matches: this.scanBytes(content, 'file', path) };
  }

  /** Scans a config string (an Env entry, a label, a history line). */
  scanText(text: string, context: ScanContext = 'config', path?: string): SecretMatch[] {
    return this.scanBytes(Buffer.from(text, 'latin1'), context, path);
  }

  private scanBytes(content: Buffer, context: ScanContext, path: string | undefined): SecretMatch[] {
    const keywords = this.prefilter.search(content);
    if (keywords.size === 0) return [];
    const ruleIdx = new Set<number>();
    for (const k of keywords) for (const r of this.keywordRules[k]!) ruleIdx.add(r);
    const text = content.toString('latin1');
    const candidates: SecretMatch[] = [];
    for (const idx of [...ruleIdx].sort((a, b) => a - b)) {
      const c = this.compiled[idx]!;
      if (context === 'file' && path !== undefined && c.allowPaths.some((re) => re.test(path))) continue;
      candidates.push(...this.runRule(c, text, context));
    }
    return dedupeOverlaps(candidates, text);
  }

  private runRule(c: CompiledRule, text: string, context: ScanContext): SecretMatch[] {
    const out: SecretMatch[] = [];
    const re = c.re;
    re.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = re.exec(text)) !== null && out.length < MAX_MATCHES_PER_RULE) {
      if (m[0].length === 0) re.lastIndex++;
      const span = secretSpan(m, c.rule);
      if (!span) continue;
      const secret = text.slice(span[0], span[1]);
      if (c.rule.entropy !== undefined && shannonEntropy(secret) < c.rule.entropy) continue;
      if (c.rule.filterPlaceholders && isPlaceholder(secret)) continue;
      if (this.allowValues.some((a) => a.test(secret))) continue;
      if (context === 'file' && c.allowValues.some((a) => a.test(secret))) continue;
      // Show the whole name the match starts in (`db_password = ...`), for context only.
      let from = m.index;
      while (from > 0 && m.index - from < 40 && IDENT.test(text[from - 1]!)) from--;
      const shown = text.slice(from, m.index + m[0].length);
      out.push({ rule: c.rule, start: span[0], end: span[1], offset: m.index, line: 0, masked: maskMatch(shown, from, span) });
    }
    return out;
  }
}

function secretSpan(m: RegExpExecArray, rule: SecretRule): [number, number] | undefined {
  const groups = m.indices?.groups;
  const named = groups?.secret ?? groups?.secret2;
  if (named) return named;
  if (rule.secretGroup !== undefined) return m.indices?.[rule.secretGroup];
  return [m.index, m.index + m[0].length];
}

function maskMatch(full: string, at: number, span: [number, number]): string {
  const before = full.slice(0, span[0] - at).replace(/\s+/g, ' ');
  const secret = full.slice(span[0] - at, span[1] - at);
  const after = full.slice(span[1] - at).replace(/\s+/g, ' ');
  const head = before.length > 60 ? `${before.slice(0, 40)}…${before.slice(-16)}` : before;
  const tail = after.length > 40 ? after.slice(0, 40) + '…' : after;
  return head + maskSecret(secret) + tail;
}

/** Rules run in priority order; a later match that overlaps an accepted secret is the same secret. */
function dedupeOverlaps(matches: SecretMatch[], text: string): SecretMatch[] {
  const accepted: SecretMatch[] = [];
  for (const m of matches) {
    if (accepted.some((a) => m.start < a.end && a.start < m.end)) continue;
    accepted.push(m);
  }
  accepted.sort((a, b) => a.offset - b.offset);
  let pos = { index: 0, line: 1 };
  for (const m of accepted) {
    m.line = lineAt(text, m.offset, pos);
    pos = { index: m.offset, line: m.line };
  }
  return accepted;
}
