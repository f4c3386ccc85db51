import { describe, expect, it } from 'vitest';
import { parseSecretConfig } from './config.js';
import { gen } from './testing/samples.js';
import { createSecretVisitor, placeLayerSecrets, SECRET_VISITOR_NAME, type LayerSecretFacts } from './visitor.js';

const token = () => `ghp_${gen('abcdefABCDEF0123', 36)}`;
const meta = (path: string, content: Buffer) => ({ path, size: content.length, mode: 0o644 });

function layer(visitor: ReturnType<typeof createSecretVisitor>, digest: string, files: Record<string, string>, whiteouts: string[] = [], opaqueDirs: string[] = []): LayerSecretFacts {
  for (const [path, text] of Object.entries(files)) {
    const content = Buffer.from(text);
    if (visitor.wants(meta(path, content))) visitor.visit(meta(path, content), content, 0, digest);
  }
  return { layerDigest: digest, whiteouts, opaqueDirs, extra: { [SECRET_VISITOR_NAME]: visitor.collect!(digest) } };
}

describe('secret visitor for the analysis engine', () => {
  it('collects layer-relative findings and skips allow-listed paths before reading', () => {
    const v = createSecretVisitor();
    expect(v.wants({ path: '/usr/share/doc/x/README', size: 10, mode: 0o644 })).toBe(false);
    expect(v.wants({ path: '/app/x', size: 11 * 1024 * 1024, mode: 0o644 })).toBe(false);
    const facts = layer(v, 'sha256:a', { '/app/.env': `T=${token()}\n` });
    const stored = facts.extra![SECRET_VISITOR_NAME] as { findings: { location: object }[] };
    expect(stored.findings).toHaveLength(1);
    expect(stored.findings[0]!.location).toEqual({ kind: 'layer-file', path: '/app/.env', line: 1 });
    // Nothing carries over into the next layer.
    expect((layer(v, 'sha256:b', {}).extra![SECRET_VISITOR_NAME] as { findings: unknown[] }).findings).toEqual([]);
  });

  it('places findings per image: layer index, removal by whiteout or opaque directory, replacement', () => {
    const v = createSecretVisitor();
    const layers = [
      layer(v, 'sha256:0', { '/root/.npmrc': token(), '/etc/app/conf': token(), '/srv/keep': token(), '/opt/x': token() }),
      layer(v, 'sha256:1', {}, ['/root/.npmrc'], ['/etc/app']),
      layer(v, 'sha256:2', { '/opt/x': 'clean now' }),
    ];
    const placed = placeLayerSecrets(layers);
    expect(placed.map((f) => [f.location.path, f.location.layerIndex, f.location.inFinalFs, f.location.removedInLayer])).toEqual([
      ['/root/.npmrc', 0, false, 1],
      ['/etc/app/conf', 0, false, 1],
      ['/srv/keep', 0, true, undefined],
      ['/opt/x', 0, true, undefined],
    ]);
    expect(placed[0]!.note).toBe('removed in layer 1, still in the image (layer 0)');
    // With the final filesystem, a file replaced by a later layer is not in it either.
    const finalLayer: Record<string, number> = { '/srv/keep': 0, '/opt/x': 2 };
    const withFs = placeLayerSecrets(layers, (p) => finalLayer[p]);
    expect(withFs.find((f) => f.location.path === '/opt/x')).toMatchObject({
      location: { inFinalFs: false, layerDigest: 'sha256:0' },
      note: 'replaced by a later layer, still in the image (layer 0)',
    });
  });

  it('derives its version from the rules, so a config change changes the cache key', () => {
    const a = createSecretVisitor();
    const b = createSecretVisitor({ config: parseSecretConfig('disable-rules: [jwt-token]\n') });
    expect(a.version).toBe(createSecretVisitor().version);
    expect(b.version).not.toBe(a.version);
    expect(Number.isInteger(a.version)).toBe(true);
  });
});
