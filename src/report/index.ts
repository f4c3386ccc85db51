import type { ScanReport } from '../scan/types.js';
import { cycloneDxReport } from './writers/cyclonedx.js';
import { jsonReport } from './writers/json.js';
import { sarifReport } from './writers/sarif.js';
import { tableReport } from './writers/table.js';
import type { WriterOptions } from './writers/types.js';

export type { WriterOptions } from './writers/types.js';
export { tableReport } from './writers/table.js';
export { jsonReport } from './writers/json.js';
export { sarifReport } from './writers/sarif.js';
export { cycloneDxReport, buildCycloneDxWithVulns } from './writers/cyclonedx.js';
export { securitySeverity, sarifLevel } from './severity.js';

export type ReportWriter = (report: ScanReport, opts?: WriterOptions) => string;

/** Every scan report format, explicitly: format name → writer. */
export const REPORT_WRITERS = {
  table: tableReport,
  json: jsonReport,
  sarif: sarifReport,
  cyclonedx: cycloneDxReport,
} as const satisfies Record<string, ReportWriter>;

export type ReportFormat = keyof typeof REPORT_WRITERS;
export const REPORT_FORMATS = Object.keys(REPORT_WRITERS) as ReportFormat[];

export function isReportFormat(s: string): s is ReportFormat {
  return Object.hasOwn(REPORT_WRITERS, s);
}
