import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { corpusPath, hasCorpus, parseTsv } from '../../testing/corpus.js';
import { ANALYZERS } from './index.js';
import { analyzeCorpusImage } from './testing/run-image.js';

const COLS = ['type', 'name', 'version', 'source_name', 'source_version', 'arch', 'path', 'owned_by_dpkg'];

/** The analyzers' view of a shared image equals expected/<image>.packages.tsv, row for row. */
describe.skipIf(!hasCorpus)('analyzers on corpus images', () => {
  for (const tag of ['node-app', 'debian-old', 'debian-risky']) {
    it(`${tag}: packages, sources, paths and dpkg ownership`, { timeout: 180_000 }, async () => {
      const res = await analyzeCorpusImage(tag, ANALYZERS);
      expect(res.os).toMatchObject({ family: 'debian', release: '12', codename: 'bookworm', eol: '2028-06-30' });
      const got = res.packages
        .map((p) =>
          [
            p.type,
            p.name,
            p.version,
            p.sourceName ?? '',
            p.sourceVersion ?? '',
            p.arch ?? '',
            p.path,
            p.type === 'dpkg' ? '' : (res.owners[p.path] ?? ''),
          ].join('\t'),
        )
        .sort();
      const want = parseTsv(readFileSync(corpusPath('expected', `${tag}.packages.tsv`), 'utf8'))
        .map((r) => COLS.map((c) => r[c] ?? '').join('\t'))
        .sort();
      expect(got).toEqual(want);
      const libc = res.packages.find((p) => p.name === 'libc6');
      expect(libc?.purl).toMatch(/^pkg:deb\/debian\/libc6@2\.36-9%2Bdeb12u\d+\?arch=amd64&distro=debian-12$/);
      expect(libc?.ecosystem).toBe('Debian:12');
      expect(res.warnings).toEqual([]);
    });
  }
});
