import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { makeTar } from '../../image/layers/testing/tar.js';
import type { Analyzer, AnalyzerInput } from '../analyzer.js';
import { analyzeLayer } from './layer.js';

/** Wants every .bin file; finds a package in those that say "PKG name". */
function binAnalyzer(seen: AnalyzerInput[], prefilter: boolean): Analyzer {
  const a: Analyzer = {
    name: 'bin',
    version: 1,
    wants: (m) => m.path.endsWith('.bin'),
    analyze(input) {
      seen.push(input);
      const packages = input.files.flatMap((f) => {
        const m = /PKG (\w+)/.exec(f.content.toString('latin1'));
        return m ? [{ type: 'npm' as const, ecosystem: 'npm', name: m[1]!, version: '1', purl: `pkg:npm/${m[1]}@1`, path: f.meta.path }] : [];
      });
      return { packages };
    },
  };
  if (prefilter) a.keep = (_meta, parts) => Buffer.concat(parts).includes('PKG ');
  return a;
}

describe('analyzeLayer', () => {
  it('drops files an analyzer prefilter rejects, with the same facts as without it', async () => {
    const layer = await makeTar([
      { name: 'a.bin', content: `${'x'.repeat(5000)}PKG alpha` },
      { name: 'b.bin', content: 'y'.repeat(70_000) },
      { name: 'c.bin', content: 'PKG gamma' },
      { name: 'd.txt', content: 'PKG ignored' },
    ]);
    const facts = [];
    const seen: AnalyzerInput[][] = [[], []];
    for (const prefilter of [false, true]) {
      facts.push(await analyzeLayer(Readable.from([layer]), { layerDigest: 'sha256:x', mediaType: 'application/vnd.oci.image.layer.v1.tar', analyzers: [binAnalyzer(seen[Number(prefilter)]!, prefilter)] }));
    }
    expect(facts[1]).toEqual(facts[0]);
    expect(facts[0]!.packages.map((p) => p.name)).toEqual(['alpha', 'gamma']);
    expect(facts[0]!.analyzedPaths).toEqual(['/a.bin', '/b.bin', '/c.bin']);
    expect(seen[0]![0]!.files.map((f) => f.meta.path)).toEqual(['/a.bin', '/b.bin', '/c.bin']);
    expect(seen[1]![0]!.files.map((f) => f.meta.path)).toEqual(['/a.bin', '/c.bin']);
  });

  it('holds small files by their own bytes, not by the large chunk they arrived in', async () => {
    const entries = Array.from({ length: 50 }, (_, i) => ({ name: `f${i}.bin`, content: `PKG p${i}` }));
    const layer = await makeTar([...entries, { name: 'pad', content: 'z'.repeat(1024 * 1024) }]);
    const seen: AnalyzerInput[] = [];
    // One chunk for the whole layer: every file is a view into it until the engine copies it out.
    await analyzeLayer(Readable.from([layer]), { layerDigest: 'sha256:y', mediaType: 'application/vnd.oci.image.layer.v1.tar', analyzers: [binAnalyzer(seen, false)] });
    const files = seen[0]!.files;
    expect(files).toHaveLength(50);
    for (const f of files) expect(f.content.buffer.byteLength).toBeLessThan(64 * 1024);
    expect(files[7]!.content.toString()).toBe('PKG p7');
  });
});
