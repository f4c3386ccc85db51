/**
 * Shapes of the streaming layer reader. Paths are virtual: nothing here ever touches the host
 * filesystem, so hostile names ("../", absolute paths, links) are only strings.
 */

export type LayerEntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'whiteout' | 'opaque' | 'other';

export interface LayerEntry {
  /** Absolute, normalised virtual path ("/etc/passwd"); never escapes "/". For whiteouts: the deleted path. For opaque markers: the directory. */
  path: string;
  type: LayerEntryType;
  /** Content size from the tar header (regular files; 0 for the rest). */
  size: number;
  /** Permission and special bits (setuid 0o4000, setgid 0o2000, sticky 0o1000, rwx). */
  mode: number;
  uid: number;
  gid: number;
  /** Symlinks: the raw target as stored. Hard links: the normalised absolute path of the target entry. */
  linkTarget?: string;
  mtime?: Date;
  /**
   * The first `max` bytes of the content (at most the reader's `maxFileBytes`). Valid only until the
   * iteration advances; may be called again with the same or a larger `max` until then. Rejects
   * with LayerLimitError when a layer-wide bound is hit while reading.
   */
  read: (max?: number) => Promise<Buffer>;
  /**
   * Like read(), as the pieces the content arrived in (concatenated they are what read() returns),
   * for a consumer that can look at a file without joining it. Optional: readers that have no
   * pieces leave it out.
   */
  readChunks?: (max?: number) => Promise<Buffer[]>;
}

export interface LayerLimits {
  /** Most bytes `read()` returns for one file. */
  maxFileBytes: number;
  /** Most decompressed bytes read from one layer. */
  maxTotalBytes: number;
  /** Decompressed/compressed ratio above which the layer counts as a decompression bomb... */
  maxRatio: number;
  /** ...once at least this many decompressed bytes were seen (small inputs compress well legitimately). */
  ratioFloorBytes: number;
  /** Most tar entries in one layer. */
  maxEntries: number;
  /** Longest path (bytes of the normalised path). */
  maxPathLength: number;
  /** Most symlinks followed while resolving one path in the virtual filesystem. */
  maxLinkDepth: number;
  /** Largest zstd window a layer may ask for (the zstd reference decoder's default limit is 128 MiB). */
  maxZstdWindow: number;
}

const MiB = 1024 * 1024;

export const DEFAULT_LAYER_LIMITS: Readonly<LayerLimits> = Object.freeze({
  maxFileBytes: 256 * MiB,
  maxTotalBytes: 32 * 1024 * MiB,
  maxRatio: 500,
  ratioFloorBytes: 64 * MiB,
  maxEntries: 2_000_000,
  maxPathLength: 4096,
  maxLinkDepth: 40,
  maxZstdWindow: 128 * MiB,
});

export function resolveLimits(limits?: Partial<LayerLimits>): LayerLimits {
  return { ...DEFAULT_LAYER_LIMITS, ...limits };
}

/** Same shape as the analysis Warning, so facts can carry it unchanged. */
export interface LayerWarning {
  code: string;
  message: string;
  path?: string;
  layerDigest?: string;
}

export type LayerCompression = 'gzip' | 'zstd' | 'none' | 'auto';

export interface LayerStats {
  compressedBytes: number;
  decompressedBytes: number;
  entries: number;
}

/** A layer-wide bound was hit; the reader stops and records a warning with the same code. */
export class LayerLimitError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'LayerLimitError';
  }
}

/** The layer bytes are not a readable (compressed) tar: truncated, corrupt or of an unknown format. */
export class LayerFormatError extends Error {
  constructor(
    readonly code: 'truncated' | 'corrupt-compression' | 'corrupt-tar',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'LayerFormatError';
  }
}
