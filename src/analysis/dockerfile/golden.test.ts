import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatMisconfigTable, sortFindings } from '../misconfig/format.js';
import { lintDockerfile } from './lint.js';

const here = join(dirname(fileURLToPath(import.meta.url)), 'testdata');

/** Compares with a golden file; `UPDATE_GOLDEN=1` rewrites it instead. */
function golden(name: string, actual: string): void {
  const file = join(here, name);
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, actual);
  expect(actual).toBe(readFileSync(file, 'utf8'));
}

describe('Dockerfile lint outputs (golden)', () => {
  const findings = sortFindings(lintDockerfile(readFileSync(join(here, 'risky.Dockerfile'), 'utf8'), { path: 'risky.Dockerfile' }));

  it('table', () => golden('risky.table.golden', formatMisconfigTable('risky.Dockerfile', findings)));
  it('json', () => golden('risky.json.golden', `${JSON.stringify({ target: 'risky.Dockerfile', type: 'dockerfile', findings }, null, 2)}\n`));
});
