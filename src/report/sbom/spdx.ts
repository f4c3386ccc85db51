import { createHash, randomUUID } from 'node:crypto';
import type { Package } from '../../analysis/types.js';
import { classifyLicense } from './license.js';
import { DEFAULT_TOOL_VERSION, TOOL_NAME, imagePurl, packageProperties, type SbomOptions, type SbomSubject } from './subject.js';

interface SpdxPackage {
  SPDXID: string;
  name: string;
  versionInfo?: string;
  downloadLocation: string;
  filesAnalyzed: boolean;
  licenseConcluded: string;
  licenseDeclared: string;
  copyrightText: string;
  primaryPackagePurpose?: string;
  sourceInfo?: string;
  comment?: string;
  externalRefs?: { referenceCategory: string; referenceType: string; referenceLocator: string }[];
  annotations?: { annotationDate: string; annotationType: string; annotator: string; comment: string }[];
}

export interface SpdxDocument {
  spdxVersion: 'SPDX-2.3';
  dataLicense: 'CC0-1.0';
  SPDXID: 'SPDXRef-DOCUMENT';
  name: string;
  documentNamespace: string;
  creationInfo: { created: string; creators: string[] };
  packages: SpdxPackage[];
  relationships: { spdxElementId: string; relationshipType: string; relatedSpdxElement: string }[];
  hasExtractedLicensingInfos?: { licenseId: string; extractedText: string; name: string }[];
}

const NOASSERTION = 'NOASSERTION';

/** Deterministic SPDXID: readable prefix plus a hash of what makes the package unique. */
function spdxId(p: Package): string {
  const hash = createHash('sha256').update(`${p.purl}\n${p.path}`).digest('hex').slice(0, 16);
  const readable = `${p.type}-${p.name}`.replace(/[^A-Za-z0-9.-]+/g, '-').slice(0, 60);
  return `SPDXRef-Package-${readable}-${hash}`;
}

/** SPDX 2.3 JSON document of an image: the image package DESCRIBED, every package CONTAINED by it. */
export function buildSpdx(subject: SbomSubject, opts: SbomOptions = {}): SpdxDocument {
  const inv = subject.inventory;
  const created = (opts.timestamp ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const extracted = new Map<string, string>();
  const declared = (list: string[] | undefined): string => {
    if (!list || list.length === 0) return NOASSERTION;
    const parts = list.map((text) => {
      const f = classifyLicense(text);
      if (f.kind === 'id') return f.id;
      if (f.kind === 'expression') return list.length > 1 ? `(${f.expression})` : f.expression;
      // Free-text license names become LicenseRefs with the text kept as extracted licensing info.
      const ref = `LicenseRef-${f.name.replace(/[^A-Za-z0-9.-]+/g, '-').replace(/^-+|-+$/g, '') || 'unnamed'}`;
      extracted.set(ref, f.name);
      return ref;
    });
    return [...new Set(parts)].join(' AND ');
  };
  const imageId = 'SPDXRef-Image';
  const purl = imagePurl(subject);
  const image: SpdxPackage = {
    SPDXID: imageId,
    name: subject.name,
    downloadLocation: NOASSERTION,
    filesAnalyzed: false,
    licenseConcluded: NOASSERTION,
    licenseDeclared: NOASSERTION,
    copyrightText: NOASSERTION,
    primaryPackagePurpose: 'CONTAINER',
    ...(inv.digest ? { versionInfo: inv.digest } : {}),
    ...(purl ? { externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: purl }] } : {}),
  };
  const packages: SpdxPackage[] = [image];
  const relationships: SpdxDocument['relationships'] = [{ spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: imageId }];
  if (inv.os) {
    packages.push({
      SPDXID: 'SPDXRef-OperatingSystem',
      name: inv.os.family,
      versionInfo: inv.os.release,
      downloadLocation: NOASSERTION,
      filesAnalyzed: false,
      licenseConcluded: NOASSERTION,
      licenseDeclared: NOASSERTION,
      copyrightText: NOASSERTION,
      primaryPackagePurpose: 'OPERATING_SYSTEM',
      ...(inv.os.prettyName ? { comment: inv.os.prettyName } : {}),
    });
    relationships.push({ spdxElementId: imageId, relationshipType: 'CONTAINS', relatedSpdxElement: 'SPDXRef-OperatingSystem' });
  }
  const seen = new Set<string>();
  for (const p of inv.packages) {
    let id = spdxId(p);
    for (let n = 2; seen.has(id); n++) id = `${spdxId(p)}-${n}`;
    seen.add(id);
    packages.push({
      SPDXID: id,
      name: p.name,
      versionInfo: p.version,
      downloadLocation: NOASSERTION,
      filesAnalyzed: false,
      licenseConcluded: NOASSERTION,
      licenseDeclared: declared(p.licenses),
      copyrightText: NOASSERTION,
      primaryPackagePurpose: 'LIBRARY',
      ...(p.sourceName ? { sourceInfo: `built from source package ${p.sourceName} ${p.sourceVersion ?? ''}`.trim() } : {}),
      comment: packageProperties(p).map(([k, v]) => `${k}=${v}`).join('\n'),
      externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: p.purl }],
    });
    relationships.push({ spdxElementId: imageId, relationshipType: 'CONTAINS', relatedSpdxElement: id });
  }
  const doc: SpdxDocument = {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: subject.name,
    documentNamespace: opts.namespace ?? `https://portcullis.invalid/spdx/${encodeURIComponent(inv.digest ?? subject.name)}/${randomUUID()}`,
    creationInfo: { created, creators: [`Tool: ${TOOL_NAME}-${opts.toolVersion ?? DEFAULT_TOOL_VERSION}`] },
    packages,
    relationships,
  };
  if (extracted.size > 0) {
    doc.hasExtractedLicensingInfos = [...extracted].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([licenseId, name]) => ({ licenseId, extractedText: name, name }));
  }
  return doc;
}

export function spdxJson(subject: SbomSubject, opts: SbomOptions = {}): string {
  return `${JSON.stringify(buildSpdx(subject, opts), null, 2)}\n`;
}
