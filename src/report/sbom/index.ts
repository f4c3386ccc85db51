import { cycloneDxJson } from './cyclonedx.js';
import { spdxJson } from './spdx.js';
import type { SbomOptions, SbomSubject } from './subject.js';

export { buildCycloneDx, cycloneDxJson } from './cyclonedx.js';
export { buildSpdx, spdxJson, type SpdxDocument } from './spdx.js';
export { classifyLicense, spdxExpression } from './license.js';
export type { SbomOptions, SbomSubject } from './subject.js';

/** Every SBOM format, explicitly: format name → writer. */
export const SBOM_WRITERS = {
  cyclonedx: cycloneDxJson,
  'spdx-json': spdxJson,
} as const satisfies Record<string, (subject: SbomSubject, opts?: SbomOptions) => string>;

export type SbomFormat = keyof typeof SBOM_WRITERS;
export const SBOM_FORMATS = Object.keys(SBOM_WRITERS) as SbomFormat[];
