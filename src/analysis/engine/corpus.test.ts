import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openImageSource } from '../../image/sources/parse.js';
import { CORPUS_IMAGES, CORPUS_TAGS, corpusPath, hasCorpus, parseTsv } from '../../testing/corpus.js';
import type { Package } from '../types.js';
import { analyzeImage } from './image.js';
import { MemoryLayerCache } from './cache.js';

const COLUMNS = ['type', 'name', 'version', 'source_name', 'source_version', 'arch', 'path', 'owned_by_dpkg'] as const;

function row(p: Package): string {
  return [p.type, p.name, p.version, p.sourceName ?? '', p.sourceVersion ?? '', p.arch ?? '', p.path, p.ownedBy ?? ''].join('\t');
}

describe.skipIf(!hasCorpus)('image analysis reproduces the corpus package lists', () => {
  // One cache for the suite: the debian-minbase layer is shared by three images and read once.
  const cache = new MemoryLayerCache();
  for (const tag of CORPUS_TAGS) {
    it(`${tag}: packages.tsv exactly`, async () => {
      const expected = parseTsv(readFileSync(corpusPath('expected', `${tag}.packages.tsv`), 'utf8'))
        .map((r) => COLUMNS.map((c) => r[c] ?? '').join('\t'))
        .sort();
      const source = await openImageSource(`oci:${CORPUS_IMAGES}:${tag}`);
      const { inventory } = await analyzeImage(source, { cache });
      const actual = inventory.packages.map(row).sort();
      expect(actual).toEqual(expected);
      expect(inventory.os).toMatchObject({ family: 'debian', release: '12' });
      expect(inventory.warnings.filter((w) => w.code.startsWith('layer-'))).toEqual([]);
      for (const p of inventory.packages) expect(source.layers.map((l) => l.digest)).toContain(p.layerDigest);
    }, 60_000);
  }

  it('debian-old: the dpkg status of the diff layer wins over the base layer', async () => {
    const source = await openImageSource(`oci:${CORPUS_IMAGES}:debian-old`);
    const { inventory } = await analyzeImage(source, { cache });
    const dpkg = inventory.packages.filter((p) => p.type === 'dpkg');
    expect(new Set(dpkg.map((p) => p.layerDigest))).toEqual(new Set([source.layers[1]!.digest]));
    expect(dpkg[0]!.ecosystem).toBe('Debian:12');
  });
});
