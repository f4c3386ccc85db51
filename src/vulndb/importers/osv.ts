import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ImportItem, SourceInfo } from '../db/database.js';
import { parseOsvRecord } from './osv-record.js';
import { ZipReader } from './zip.js';

/** Larger single files are refused: OSV records are a few KB, so this is hostile input. */
export const MAX_JSON_BYTES = 64 * 1024 * 1024;

function* fromText(text: string, origin: string): Generator<ImportItem> {
  const warnings: ImportItem[] = [];
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    yield { type: 'warning', code: 'malformed-json', message: `${origin}: ${(err as Error).message}` };
    return;
  }
  const record = parseOsvRecord(doc, origin, (code, message) => warnings.push({ type: 'warning', code, message }));
  yield* warnings;
  if (record) yield { type: 'advisory', record };
}

function* walk(dir: string): Generator<string> {
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* walk(p);
    else if (e.isFile() && e.name.endsWith('.json')) yield p;
  }
}

/** Every *.json below a directory, one OSV record per file. */
export function* osvDirectory(dir: string): Generator<ImportItem> {
  for (const file of walk(dir)) {
    const size = statSync(file).size;
    if (size > MAX_JSON_BYTES) {
      yield { type: 'warning', code: 'oversized', message: `${file}: ${size} bytes` };
      continue;
    }
    yield* fromText(readFileSync(file, 'utf8'), file);
  }
}

/** An osv.dev ecosystem archive (<ecosystem>/all.zip): one OSV record per *.json entry. */
export function* osvZip(path: string): Generator<ImportItem> {
  const zip = new ZipReader(path, MAX_JSON_BYTES);
  try {
    for (const entry of zip.entries) {
      if (!entry.name.endsWith('.json')) continue;
      let data: Buffer;
      try {
        data = zip.read(entry);
      } catch (err) {
        yield { type: 'warning', code: 'bad-zip-entry', message: (err as Error).message };
        continue;
      }
      yield* fromText(data.toString('utf8'), `${path}!${entry.name}`);
    }
  } finally {
    zip.close();
  }
}

export function osvFile(path: string): Generator<ImportItem> {
  return fromText(readFileSync(path, 'utf8'), path);
}

export function osvSource(origin: string): SourceInfo {
  return { name: 'osv', kind: 'osv', origin };
}
