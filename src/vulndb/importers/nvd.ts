import { cvssFromVector } from '../cvss/index.js';
import type { ImportItem, SourceInfo } from '../db/database.js';
import type { CvssScore } from '../types.js';

/** NVD CVE API 2.0 responses ({format: "NVD_CVE", vulnerabilities: [{cve: {...}}]}), used for CVSS enrichment. */
const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

export function looksLikeNvd(doc: unknown): boolean {
  return isObj(doc) && Array.isArray(doc.vulnerabilities) && (doc.format === 'NVD_CVE' || doc.format === undefined);
}

const METRIC_KEYS = ['cvssMetricV40', 'cvssMetricV31', 'cvssMetricV30', 'cvssMetricV2'];

export function* nvdCves(doc: unknown, origin: string): Generator<ImportItem> {
  if (!looksLikeNvd(doc) || !isObj(doc)) {
    yield { type: 'warning', code: 'invalid-record', message: `${origin}: not an NVD CVE API 2.0 document` };
    return;
  }
  for (const v of doc.vulnerabilities as unknown[]) {
    const cve = isObj(v) && isObj(v.cve) ? v.cve : undefined;
    if (!cve || typeof cve.id !== 'string') {
      yield { type: 'warning', code: 'invalid-record', message: `${origin}: vulnerability without cve.id` };
      continue;
    }
    const metrics = isObj(cve.metrics) ? cve.metrics : {};
    const cvss: CvssScore[] = [];
    for (const key of METRIC_KEYS) {
      for (const m of Array.isArray(metrics[key]) ? metrics[key] : []) {
        if (!isObj(m) || !isObj(m.cvssData) || typeof m.cvssData.vectorString !== 'string') {
          yield { type: 'warning', code: 'invalid-record', message: `${cve.id}: malformed ${key} entry` };
          continue;
        }
        const source = typeof m.source === 'string' ? m.source : 'nvd';
        const baseScore = typeof m.cvssData.baseScore === 'number' ? m.cvssData.baseScore : undefined;
        const entry = cvssFromVector(m.cvssData.vectorString, source, baseScore);
        if (entry.version === 'unknown' && typeof m.cvssData.version === 'string') entry.version = m.cvssData.version;
        cvss.push(entry);
      }
    }
    const record = { id: cve.id, cvss, ...(typeof cve.lastModified === 'string' ? { modified: cve.lastModified } : {}) };
    yield { type: 'cvss', record };
  }
}

export function nvdSource(origin: string, doc?: unknown): SourceInfo {
  const ts = isObj(doc) && typeof doc.timestamp === 'string' ? doc.timestamp : undefined;
  return { name: 'nvd', kind: 'nvd', origin, ...(ts ? { dataUpdatedAt: ts } : {}) };
}
