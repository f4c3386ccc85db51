import * as CDX from '@cyclonedx/cyclonedx-library';
import { randomUUID } from 'node:crypto';
import type { Package } from '../../analysis/types.js';
import { classifyLicense } from './license.js';
import { DEFAULT_TOOL_VERSION, TOOL_NAME, imagePurl, packageProperties, type SbomOptions, type SbomSubject } from './subject.js';

const { Models, Enums } = CDX;

function licenses(list: string[] | undefined): CDX.Models.LicenseRepository {
  const repo = new Models.LicenseRepository();
  const facts = (list ?? []).map(classifyLicense);
  // CycloneDX allows either one expression or a list of single licenses, never both.
  const only = facts.length === 1 ? facts[0] : undefined;
  if (only?.kind === 'expression') {
    repo.add(new Models.LicenseExpression(only.expression));
    return repo;
  }
  for (const f of facts) {
    if (f.kind === 'id') repo.add(new Models.SpdxLicense(f.id));
    else repo.add(new Models.NamedLicense(f.kind === 'name' ? f.name : f.expression));
  }
  return repo;
}

function component(p: Package): CDX.Models.Component {
  const c = new Models.Component(Enums.ComponentType.Library, p.name, {
    bomRef: `${p.purl}|${p.path}`,
    version: p.version,
    licenses: licenses(p.licenses),
    properties: new Models.PropertyRepository(packageProperties(p).map(([k, v]) => new Models.Property(k, v))),
  });
  c.purl = p.purl;
  return c;
}

/** CycloneDX 1.6 BOM model of an image (metadata.component = the image, one component per package). */
export function buildCycloneDx(subject: SbomSubject, opts: SbomOptions = {}): CDX.Models.Bom {
  const inv = subject.inventory;
  const image = new Models.Component(Enums.ComponentType.Container, subject.name, {
    bomRef: 'image',
    ...(inv.digest ? { version: inv.digest } : {}),
  });
  const purl = imagePurl(subject);
  if (purl) image.purl = purl;
  for (const [i, l] of inv.layers.entries()) image.properties.add(new Models.Property(`portcullis:image:layer:${i}`, `${l.digest} ${l.mediaType} ${l.size}`));
  const tool = new Models.Component(Enums.ComponentType.Application, TOOL_NAME, { version: opts.toolVersion ?? DEFAULT_TOOL_VERSION });
  const bom = new Models.Bom({
    serialNumber: opts.serialNumber ?? `urn:uuid:${randomUUID()}`,
    metadata: new Models.Metadata({
      timestamp: opts.timestamp ?? new Date(),
      component: image,
      tools: new Models.Tools({ components: new Models.ComponentRepository([tool]) }),
    }),
  });
  if (inv.os) {
    const os = new Models.Component(Enums.ComponentType.OperatingSystem, inv.os.family, { bomRef: 'os', version: inv.os.release });
    if (inv.os.prettyName) os.description = inv.os.prettyName;
    bom.components.add(os);
  }
  for (const p of inv.packages) bom.components.add(component(p));
  return bom;
}

/** CycloneDX 1.6 JSON text, deterministic for fixed options (lists sorted). */
export function cycloneDxJson(subject: SbomSubject, opts: SbomOptions = {}): string {
  const serializer = new CDX.Serialize.JsonSerializer(new CDX.Serialize.JSON.Normalize.Factory(CDX.Spec.Spec1dot6));
  return `${serializer.serialize(buildCycloneDx(subject, opts), { sortLists: true, space: 2 })}\n`;
}
