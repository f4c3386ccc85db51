import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import * as tar from 'tar-stream';
import { analyseLayerBlob } from './analyse-layer.js';

/** A few hundred small files of the kinds real layers hold (a package database, manifests, scripts, config). */
function files(): { name: string; content: string }[] {
  const status = Array.from({ length: 60 }, (_, i) => `Package: pkg${i}\nStatus: install ok installed\nVersion: 1.${i}-1\nArchitecture: amd64\n`).join('\n');
  const text = (i: number) => `# settings ${i}\n${Array.from({ length: 80 }, (_, j) => `key_${j} = value ${i * j} # comment line ${j}`).join('\n')}\n`;
  return [
    { name: 'etc/os-release', content: 'ID=debian\nVERSION_ID="12"\nNAME="Debian GNU/Linux"\n' },
    { name: 'var/lib/dpkg/status', content: status },
    ...Array.from({ length: 40 }, (_, i) => ({ name: `usr/lib/node_modules/m${i}/package.json`, content: JSON.stringify({ name: `m${i}`, version: `1.0.${i}`, license: 'MIT' }) })),
    ...Array.from({ length: 300 }, (_, i) => ({ name: `etc/app/conf${i}.ini`, content: text(i) })),
    ...Array.from({ length: 60 }, (_, i) => ({ name: `usr/local/bin/tool${i}`, content: `#!/bin/sh\necho ${'x'.repeat(2000)}\n` })),
  ];
}

async function syntheticLayer(): Promise<Buffer> {
  const pack = tar.pack();
  const out: Buffer[] = [];
  const done = (async () => {
    for await (const chunk of pack) out.push(chunk as Buffer);
  })();
  for (const f of files()) pack.entry({ name: f.name, mode: f.name.includes('/bin/') ? 0o755 : 0o644, mtime: new Date(0) }, f.content);
  pack.finalize();
  await done;
  return gzipSync(Buffer.concat(out), { level: 1 });
}

/**
 * Runs a small synthetic layer through the whole analysis, so a new analysis thread has its code
 * loaded, its rules compiled and its hot paths compiled before the first real upload streams in
 * (a cold thread analysed the first layer about a third slower).
 */
export async function warmUp(rounds = 2): Promise<void> {
  const layer = await syntheticLayer();
  for (let i = 0; i < rounds; i++) await analyseLayerBlob(`sha256:${'0'.repeat(64)}`, Readable.from([layer]));
}
