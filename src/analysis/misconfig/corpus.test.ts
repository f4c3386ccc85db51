import { describe, expect, it } from 'vitest';
import { hasCorpus } from '../../testing/corpus.js';
import { assembleCorpusImage, loadCorpusImage } from '../secrets/testing/corpus-image.js';
import { finalFilesFrom, runMisconfigChecks } from './index.js';
import type { MisconfigFinding } from './types.js';

/** Final filesystem of a corpus image via the layer reader and VirtualFs (metadata only). */
async function checkImage(tag: string): Promise<MisconfigFinding[]> {
  const image = await loadCorpusImage(tag);
  const vfs = await assembleCorpusImage(image).finally(() => image.close());
  const files = finalFilesFrom(vfs);
  return runMisconfigChecks({ config: image.config, files }, { now: new Date('2026-11-22T12:00:00Z') });
}

describe.skipIf(!hasCorpus)('misconfiguration checks on the corpus images', () => {
  it('debian-risky: every planted misconfiguration is reported', async () => {
    const findings = await checkImage('debian-risky');
    const byId = new Map(findings.map((f) => [f.id, f]));
    expect(byId.get('PCS-IMG-001')?.message).toMatch(/"root"/);
    expect(byId.get('PCS-IMG-003')?.details).toEqual(['22/tcp']);
    expect(byId.get('PCS-IMG-005')?.details).toContain('/usr/sbin/sshd');
    expect(byId.get('PCS-IMG-008')?.details).toEqual(expect.arrayContaining(['/usr/bin/nc', '/usr/bin/nc.openbsd']));
    expect(byId.get('PCS-IMG-013')?.details).toContain('/usr/bin/sudo');
    expect(byId.get('PCS-IMG-014')?.details).toEqual(['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'DB_PASSWORD']);
    const setuid = byId.get('PCS-IMG-011')?.details ?? [];
    expect(setuid).toHaveLength(14);
    for (const p of ['/usr/bin/sudo', '/usr/lib/openssh/ssh-keysign', '/usr/bin/ssh-agent', '/usr/bin/su'])
      expect(setuid.some((d) => d.startsWith(`${p} `)), p).toBe(true);
    expect(byId.has('PCS-IMG-006')).toBe(true); // apt/dpkg
    expect(byId.has('PCS-IMG-002')).toBe(true); // no healthcheck
  });

  it('debian-minbase: `nobody` is not root; the standard setuid set is listed; no planted findings', async () => {
    const findings = await checkImage('debian-minbase');
    const ids = findings.map((f) => f.id).sort();
    expect(ids).not.toContain('PCS-IMG-001');
    for (const planted of ['PCS-IMG-003', 'PCS-IMG-005', 'PCS-IMG-008', 'PCS-IMG-013', 'PCS-IMG-014']) expect(ids).not.toContain(planted);
    expect(findings.find((f) => f.id === 'PCS-IMG-011')?.details).toHaveLength(11);
  });

  it('node-app: runs as app, exposes only 3000, NPM_TOKEN in Env', async () => {
    const findings = await checkImage('node-app');
    const ids = findings.map((f) => f.id);
    expect(ids).not.toContain('PCS-IMG-001');
    expect(ids).not.toContain('PCS-IMG-003');
    expect(findings.find((f) => f.id === 'PCS-IMG-014')?.details).toEqual(['NPM_TOKEN']);
  });
});
