import type { Readable } from 'node:stream';
import type { ImageConfig } from '../config.js';
import type { ImageManifest } from '../manifest.js';

export interface LayerDescriptor {
  digest: string;
  mediaType: string;
  size: number;
}

/** One image, wherever it is stored: manifest, parsed config and a way to stream its blobs. */
export interface ImageSource {
  /** What the user asked for ("oci:dir:tag", "docker://host/repo:tag"). */
  readonly ref: string;
  readonly manifestDigest: string;
  readonly manifestMediaType: string;
  readonly manifest: ImageManifest;
  readonly configDigest: string;
  readonly config: ImageConfig;
  readonly layers: LayerDescriptor[];
  /**
   * True when the digests are not content digests of stored bytes (a rootfs directory): results
   * must not be cached under them.
   */
  readonly synthetic?: boolean;
  /** Streams a blob; the stream errors with DigestMismatchError when its bytes do not hash to `digest`. */
  openBlob(digest: string): Promise<Readable>;
  close(): Promise<void>;
}

/** `os/arch[/variant]`, as in `--platform linux/arm64/v8`. */
export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface OpenSourceOptions {
  /** Platform to pick from a multi-platform index (default linux/amd64). */
  platform?: string | Platform;
  /** Allowed largest manifest/config size in bytes. */
  maxJsonBytes?: number;
}

export class SourceError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SourceError';
  }
}

export class BlobDigestMismatchError extends Error {
  constructor(
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`blob digest mismatch: expected ${expected}, content hashes to ${actual}`);
    this.name = 'BlobDigestMismatchError';
  }
}
