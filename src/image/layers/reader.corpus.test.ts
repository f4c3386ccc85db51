import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { corpusPath, hasCorpus } from '../../testing/corpus.js';
import { readLayer } from './reader.js';
import { VirtualFs } from './vfs.js';

const blob = (hex: string) => corpusPath('images/oci/blobs/sha256', hex);
const MINBASE_GZIP = '7995b6e9148031bd6fec5602e5a5c0fb50f4eb268a8ed58d231c82cf6500fc91';
const MINBASE_ZSTD = 'e49945cc8743a8aca0b80a18b8bcb5213b753337e1ea65afb62c7ba7cbd536cd';

async function fingerprint(hex: string, zstdDecoder: 'auto' | 'js' = 'auto'): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const reader = readLayer(createReadStream(blob(hex)), { compression: 'auto', zstdDecoder });
  for await (const e of reader) {
    const body = e.type === 'file' ? createHash('sha256').update(await e.read()).digest('hex') : (e.linkTarget ?? '');
    out.set(e.path, `${e.type} ${e.mode.toString(8)} ${e.uid}:${e.gid} ${e.size} ${body}`);
  }
  expect(reader.warnings).toEqual([]);
  return out;
}

describe.skipIf(!hasCorpus)('layer reader on the corpus', () => {
  it('reads the gzip and zstd copies of the minbase layer to identical entries', async () => {
    const [gz, zst] = [await fingerprint(MINBASE_GZIP), await fingerprint(MINBASE_ZSTD)];
    expect(gz.size).toBe(4246);
    expect([...zst]).toEqual([...gz]);
    // The in-process fzstd decoder (used where no zstd program is installed) agrees too.
    expect([...(await fingerprint(MINBASE_ZSTD, 'js'))]).toEqual([...gz]);
    // Standard setuid binaries survive with their mode bits.
    expect(gz.get('/usr/bin/su')).toMatch(/^file 4755 0:0 /);
  });

  it('assembles debian-old (minbase + zstd diff with whiteouts under /var/log)', async () => {
    const vfs = new VirtualFs();
    const layers = [MINBASE_GZIP, 'e67b9465ef3a4a1aa369fc5e7e15ea4c4cb4c44aa042f45bc4155fedabc84ce8'];
    let whiteouts = 0;
    for (const [i, hex] of layers.entries()) {
      for await (const e of readLayer(createReadStream(blob(hex)))) {
        if (e.type === 'whiteout') whiteouts++;
        vfs.apply(e, i);
      }
    }
    expect(whiteouts).toBe(5);
    expect(vfs.warnings).toEqual([]);
    expect(vfs.stat('/var/lib/dpkg/status')).toMatchObject({ type: 'file', layerIndex: 1 });
    expect(vfs.resolve('/bin/bash')).toBe('/usr/bin/bash');
    const files = [...vfs.walk()].filter(([, n]) => n.type === 'file').length;
    expect(files).toBeGreaterThan(4000);
  });
});
