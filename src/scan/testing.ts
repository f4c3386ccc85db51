import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Test helper: a validator for the ScanReport JSON Schema (src/report/schema/scan-report.schema.json). */
export function scanReportValidator(): (doc: unknown) => string[] {
  const schema = JSON.parse(readFileSync(fileURLToPath(new URL('../report/schema/scan-report.schema.json', import.meta.url)), 'utf8')) as object;
  const ajv = new Ajv.default({ allErrors: true, strict: false });
  addFormats.default(ajv);
  const validate = ajv.compile(schema);
  return (doc) => (validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`));
}
