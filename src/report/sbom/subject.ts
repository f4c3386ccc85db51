import type { ImageInventory, Package } from '../../analysis/types.js';

/** What an SBOM describes: one image and its assembled inventory. */
export interface SbomSubject {
  /** Image name as the user knows it ("registry/repo:tag", "oci:dir:tag"). */
  name: string;
  inventory: ImageInventory;
  platform?: { os?: string; architecture?: string; variant?: string };
}

export interface SbomOptions {
  /** Fixed creation time (golden files); default now. */
  timestamp?: Date;
  /** CycloneDX serial number (urn:uuid:…); default random. */
  serialNumber?: string;
  /** SPDX document namespace; default derived from the image digest and a random id. */
  namespace?: string;
  toolVersion?: string;
}

export const TOOL_NAME = 'portcullis';
export const DEFAULT_TOOL_VERSION = '0.1.0';

/** Properties every package carries in both formats (layer, path, source package, owner). */
export function packageProperties(p: Package): [string, string][] {
  const props: [string, string][] = [['portcullis:package:type', p.type], ['portcullis:package:path', p.path]];
  if (p.layerDigest) props.push(['portcullis:layer:digest', p.layerDigest]);
  if (p.sourceName) props.push(['portcullis:package:source-name', p.sourceName]);
  if (p.sourceVersion) props.push(['portcullis:package:source-version', p.sourceVersion]);
  if (p.arch) props.push(['portcullis:package:arch', p.arch]);
  if (p.ownedBy) props.push(['portcullis:package:owned-by', p.ownedBy]);
  props.push(['portcullis:package:ecosystem', p.ecosystem]);
  return props;
}

/** pkg:oci purl of the image, when its digest is known. */
export function imagePurl(subject: SbomSubject): string | undefined {
  const digest = subject.inventory.digest;
  if (!digest) return undefined;
  const base = subject.name.replace(/^[a-z-]+:(\/\/)?/, '').replace(/[@:][^/]*$/, '');
  const name = (base.split('/').pop() || 'image').toLowerCase();
  const arch = subject.platform?.architecture;
  return `pkg:oci/${encodeURIComponent(name)}@${encodeURIComponent(digest)}${arch ? `?arch=${encodeURIComponent(arch)}` : ''}`;
}
