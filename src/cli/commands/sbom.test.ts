import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeImage, writeOciLayout } from '../../image/sources/testing/image.js';
import { registerSbom } from './sbom.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'portcullis-sbom-cli-'));
  const image = await makeImage([
    [
      { name: 'etc/os-release', content: 'ID=debian\nVERSION_ID="12"\n' },
      { name: 'var/lib/dpkg/status', content: 'Package: bash\nStatus: install ok installed\nVersion: 5.2.15-2+b7\nArchitecture: amd64\n\n' },
      { name: 'app/package.json', content: JSON.stringify({ name: 'app', version: '1.0.0', license: 'MIT' }) },
    ],
  ]);
  await writeOciLayout(join(dir, 'layout'), [{ tag: 'v1', image }]);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function run(args: string[]): Promise<void> {
  const program = new Command().exitOverride();
  registerSbom(program);
  await program.parseAsync(['node', 'portcullis', 'sbom', ...args]);
}

describe('portcullis sbom', () => {
  it('writes CycloneDX and SPDX files for an OCI layout image', async () => {
    const cdxFile = join(dir, 'out.cdx.json');
    await run([`oci:${join(dir, 'layout')}:v1`, '--format', 'cyclonedx', '-o', cdxFile, '--quiet', '--no-cache']);
    const cdx = JSON.parse(await readFile(cdxFile, 'utf8'));
    expect(cdx.bomFormat).toBe('CycloneDX');
    expect(cdx.components.map((c: { name: string }) => c.name).sort()).toEqual(['app', 'bash', 'debian']);

    const spdxFile = join(dir, 'out.spdx.json');
    await run([`oci:${join(dir, 'layout')}:v1`, '--format', 'spdx-json', '-o', spdxFile, '--no-cache']);
    const spdx = JSON.parse(await readFile(spdxFile, 'utf8'));
    expect(spdx.spdxVersion).toBe('SPDX-2.3');
    expect(spdx.packages.find((p: { name: string }) => p.name === 'bash').externalRefs[0].referenceLocator).toMatch(/^pkg:deb\/debian\/bash@5\.2\.15-2%2Bb7\?arch=amd64/);
  });
});
