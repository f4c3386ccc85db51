import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import type { ImageInventory } from '../../analysis/types.js';
import { analyzeImage } from '../../analysis/engine/image.js';
import { openImageSource } from '../../image/sources/parse.js';
import { CORPUS_IMAGES, hasCorpus } from '../../testing/corpus.js';
import { SBOM_WRITERS, classifyLicense, spdxExpression, type SbomSubject } from './index.js';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const cdxSchemaDir = join(dirname(require.resolve('@cyclonedx/cyclonedx-library/package.json')), 'res/schema');
const loadJson = (p: string) => JSON.parse(readFileSync(p, 'utf8')) as Record<string, unknown>;

/** The official CycloneDX 1.6 JSON schema (shipped by @cyclonedx/cyclonedx-library) with its two referenced schemas. */
function cycloneDxValidator(): ValidateFunction {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats.default(ajv);
  // ajv-formats has no IRI formats; the schema uses iri-reference for external reference URLs only.
  ajv.addFormat('iri-reference', true);
  for (const name of ['spdx.SNAPSHOT.schema.json', 'jsf-0.82.SNAPSHOT.schema.json']) {
    ajv.addSchema({ ...loadJson(join(cdxSchemaDir, name)), $id: `http://cyclonedx.org/schema/${name}` });
  }
  return ajv.compile(loadJson(join(cdxSchemaDir, 'bom-1.6.SNAPSHOT.schema.json')));
}

/** The SPDX 2.3 JSON schema (draft 2019-09) kept as a test fixture, see testdata/spdx-schema-2.3.json. */
function spdxValidator(): ValidateFunction {
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  addFormats.default(ajv);
  return ajv.compile(loadJson(join(here, 'testdata/spdx-schema-2.3.json')));
}

const inventory: ImageInventory = {
  digest: 'sha256:a467223e9f7fc47ae0b08856e9b4159b6e466766b0b1abb93ea83ba89f1100bb',
  os: { family: 'debian', name: 'Debian GNU/Linux', release: '12', codename: 'bookworm', prettyName: 'Debian GNU/Linux 12 (bookworm)' },
  layers: [{ digest: 'sha256:' + '1'.repeat(64), mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', size: 1234 }],
  warnings: [],
  packages: [
    { type: 'dpkg', ecosystem: 'Debian:12', name: 'libc6', version: '2.36-9+deb12u13', purl: 'pkg:deb/debian/libc6@2.36-9%2Bdeb12u13?arch=amd64&distro=debian-12', sourceName: 'glibc', sourceVersion: '2.36-9+deb12u13', arch: 'amd64', path: '/var/lib/dpkg/status', layerDigest: 'sha256:' + '1'.repeat(64), licenses: ['LGPL-2.1', 'GPL-2+', 'public-domain'] },
    { type: 'npm', ecosystem: 'npm', name: 'lodash', version: '4.17.15', purl: 'pkg:npm/lodash@4.17.15', path: '/app/node_modules/lodash/package.json', layerDigest: 'sha256:' + '1'.repeat(64), licenses: ['MIT'] },
    { type: 'npm', ecosystem: 'npm', name: '@types/node', version: '18.18.14', purl: 'pkg:npm/%40types/node@18.18.14', path: '/usr/share/nodejs/@types/node/package.json', ownedBy: 'nodejs', licenses: ['(MIT OR Apache-2.0)'] },
    { type: 'python', ecosystem: 'PyPI', name: 'requests', version: '2.28.1', purl: 'pkg:pypi/requests@2.28.1', path: '/usr/lib/python3/dist-packages/requests-2.28.1.egg-info' },
  ],
};
const subject: SbomSubject = { name: 'registry.example/team/node-app:1.0', inventory, platform: { os: 'linux', architecture: 'amd64' } };
const fixed = { timestamp: new Date('2026-11-22T00:00:00Z'), serialNumber: 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79', namespace: 'https://portcullis.invalid/spdx/test' };

function golden(name: string, text: string): void {
  const file = join(here, 'testdata', name);
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) writeFileSync(file, text);
  expect(text).toBe(readFileSync(file, 'utf8'));
}

describe('SBOM writers', () => {
  it('CycloneDX 1.6 JSON is valid against the official schema and matches the golden file', () => {
    const text = SBOM_WRITERS.cyclonedx(subject, fixed);
    const doc = JSON.parse(text);
    const validate = cycloneDxValidator();
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    expect(doc.specVersion).toBe('1.6');
    expect(doc.metadata.component).toMatchObject({ type: 'container', name: subject.name, version: inventory.digest });
    const lodash = doc.components.find((c: { name: string }) => c.name === 'lodash');
    expect(lodash.purl).toBe('pkg:npm/lodash@4.17.15');
    expect(lodash.licenses).toEqual([{ license: { id: 'MIT' } }]);
    expect(lodash.properties).toContainEqual({ name: 'portcullis:layer:digest', value: 'sha256:' + '1'.repeat(64) });
    const types = doc.components.find((c: { name: string }) => c.name === '@types/node');
    expect(types.licenses).toEqual([{ expression: '(MIT OR Apache-2.0)' }]);
    golden('node-app.cdx.json', text);
  });

  it('SPDX 2.3 JSON is valid against the SPDX 2.3 schema, with DESCRIBES/CONTAINS and stable ids', () => {
    const text = SBOM_WRITERS['spdx-json'](subject, fixed);
    const doc = JSON.parse(text);
    const validate = spdxValidator();
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    expect(doc.relationships[0]).toEqual({ spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: 'SPDXRef-Image' });
    expect(doc.relationships.filter((r: { relationshipType: string }) => r.relationshipType === 'CONTAINS')).toHaveLength(5);
    const libc = doc.packages.find((p: { name: string }) => p.name === 'libc6');
    expect(libc.licenseDeclared).toBe('LGPL-2.1 AND LicenseRef-GPL-2 AND LicenseRef-public-domain');
    expect(libc.externalRefs).toEqual([{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: inventory.packages[0]!.purl }]);
    for (const p of doc.packages) expect(p.SPDXID).toMatch(/^SPDXRef-[A-Za-z0-9.-]+$/);
    expect(doc.hasExtractedLicensingInfos.map((e: { licenseId: string }) => e.licenseId)).toEqual(['LicenseRef-GPL-2', 'LicenseRef-public-domain']);
    // Same input, same document.
    expect(SBOM_WRITERS['spdx-json'](subject, fixed)).toBe(text);
    golden('node-app.spdx.json', text);
  });

  it('a schema violation is caught (the validators can fail)', () => {
    const doc = JSON.parse(SBOM_WRITERS['spdx-json'](subject, fixed));
    delete doc.packages[1].downloadLocation;
    expect(spdxValidator()(doc)).toBe(false);
    const cdx = JSON.parse(SBOM_WRITERS.cyclonedx(subject, fixed));
    cdx.components[0].type = 'not-a-type';
    expect(cycloneDxValidator()(cdx)).toBe(false);
  });

  it('classifies license strings as SPDX ids, expressions or names', () => {
    expect(classifyLicense('MIT')).toEqual({ kind: 'id', id: 'MIT' });
    expect(classifyLicense('mit OR apache-2.0')).toEqual({ kind: 'expression', expression: 'MIT OR Apache-2.0' });
    expect(classifyLicense('GPL-2.0-or-later WITH Classpath-exception-2.0')).toEqual({ kind: 'expression', expression: 'GPL-2.0-or-later WITH Classpath-exception-2.0' });
    expect(classifyLicense('GPL-2+')).toEqual({ kind: 'name', name: 'GPL-2+' });
    expect(spdxExpression('(MIT OR')).toBeUndefined();
    expect(spdxExpression('Artistic or GPL-1+')).toBeUndefined();
  });
});

describe.skipIf(!hasCorpus)('SBOMs of a corpus image', () => {
  it('node-app: both formats validate and list every package', async () => {
    const source = await openImageSource(`oci:${CORPUS_IMAGES}:node-app`);
    const { inventory: inv } = await analyzeImage(source);
    const s: SbomSubject = { name: 'node-app', inventory: inv };
    const cdx = JSON.parse(SBOM_WRITERS.cyclonedx(s, fixed));
    const v1 = cycloneDxValidator();
    expect(v1(cdx), JSON.stringify(v1.errors?.slice(0, 3))).toBe(true);
    expect(cdx.components).toHaveLength(inv.packages.length + 1);
    const spdx = JSON.parse(SBOM_WRITERS['spdx-json'](s, fixed));
    const v2 = spdxValidator();
    expect(v2(spdx), JSON.stringify(v2.errors?.slice(0, 3))).toBe(true);
    expect(spdx.packages).toHaveLength(inv.packages.length + 2);
  }, 60_000);
});
