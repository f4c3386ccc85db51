import type { ScanReport } from '../../scan/types.js';
import type { WriterOptions } from './types.js';

/** The ScanReport as JSON (schema: src/report/schema/scan-report.schema.json). */
export function jsonReport(report: ScanReport, _opts: WriterOptions = {}): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
