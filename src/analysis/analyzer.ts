import type { OsInfo, Package, Warning } from './types.js';

/** What a layer walker knows about a file before reading it. */
export interface FileMeta {
  /** Absolute virtual path, normalised ("/var/lib/dpkg/status"). */
  path: string;
  size: number;
  mode: number;
}

/** Content handed to an analyzer: every file it asked for in one layer (or one root filesystem). */
export interface AnalyzerInput {
  files: { meta: FileMeta; content: Buffer }[];
  /** OS facts found so far (earlier layers or this layer's os-release), for purl qualifiers. */
  os?: OsInfo;
}

export interface AnalyzerOutput {
  packages?: Package[];
  os?: OsInfo;
  /** Files that an OS package database says belong to a package: path -> package name. */
  fileOwners?: Record<string, string>;
  warnings?: Warning[];
}

/**
 * A pure analyzer: bytes in, facts out. `version` is part of the layer-cache key, so bump it
 * whenever the output for the same bytes changes.
 */
export interface Analyzer {
  readonly name: string;
  readonly version: number;
  /** Whether the walker should read this file for the analyzer (by path, size, mode). */
  wants(meta: FileMeta): boolean;
  /** Largest file the analyzer reads; larger ones are skipped with a warning. */
  readonly maxFileSize?: number;
  /**
   * Optional: a cheap test of a file's content, run by the layer walk as soon as the file is
   * read, on the pieces it arrived in (concatenated they are the file). A file it rejects is
   * dropped at once, never concatenated nor held to the end of the layer (an analyzer that wants
   * every executable then holds only the few it will use). `analyze` must give the same output
   * without the rejected files, so this changes memory and time, not results.
   */
  keep?(meta: FileMeta, parts: readonly Buffer[]): boolean;
  analyze(input: AnalyzerInput): AnalyzerOutput;
}
