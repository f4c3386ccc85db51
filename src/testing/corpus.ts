import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (this file lives in src/testing/). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The shared corpus beside the repository: real images, vulnerability data, expected findings. */
export const CORPUS = resolve(REPO_ROOT, '../shared/testdata');
export const hasCorpus = existsSync(join(CORPUS, 'README.md'));

if (!hasCorpus && !process.env.PORTCULLIS_CORPUS_NOTICE_SHOWN) {
  process.env.PORTCULLIS_CORPUS_NOTICE_SHOWN = '1';
  console.warn(`corpus suite skipped: ${CORPUS} is absent`);
}

export function corpusPath(...parts: string[]): string {
  return join(CORPUS, ...parts);
}

/** The OCI layout that holds the shared test images (tags: debian-minbase, debian-risky, node-app, debian-minbase-zstd, debian-old). */
export const CORPUS_IMAGES = join(CORPUS, 'images/oci');
export const CORPUS_TAGS = ['debian-minbase', 'debian-risky', 'node-app', 'debian-minbase-zstd', 'debian-old'] as const;

/** Reads a TSV with a header row into records. */
export function parseTsv(text: string): Record<string, string>[] {
  const lines = text.split('\n').filter((l) => l.length > 0);
  const header = (lines.shift() ?? '').split('\t');
  return lines.map((line) => {
    const cells = line.split('\t');
    return Object.fromEntries(header.map((h, i) => [h, cells[i] ?? '']));
  });
}
