/**
 * `portcullis policy test`: what a policy would decide for an image, at both gates, without pushing.
 * The image is scanned like `portcullis scan image` does; signatures are not looked at (an image
 * outside a registry has none), so a `requireSignature` rule reports "no signature".
 */
import { openImageSource, type OpenImageOptions } from '../image/sources/index.js';
import { scanImage, type ScanOptions } from '../scan/index.js';
import type { ScanReport } from '../scan/types.js';
import { evaluate, type Decision } from './evaluate.js';
import { inputFromReport } from './from-report.js';
import type { Policy } from './schema.js';

export interface PolicyTestResult {
  image: string;
  digest?: string;
  push: Decision;
  pull: Decision;
  report: ScanReport;
}

export async function testPolicy(
  policy: Policy,
  imageRef: string,
  opts: { source?: OpenImageOptions; scan?: ScanOptions; now?: Date } = {},
): Promise<PolicyTestResult> {
  const source = await openImageSource(imageRef, opts.source ?? {});
  try {
    const report = await scanImage(source, opts.scan ?? {});
    const input = inputFromReport(report, source.synthetic ? undefined : source.config);
    const now = opts.now ?? new Date();
    return {
      image: imageRef,
      ...(report.artifact.digest ? { digest: report.artifact.digest } : {}),
      push: evaluate(policy, 'push', input, now),
      pull: evaluate(policy, 'pull', input, now),
      report,
    };
  } finally {
    await source.close();
  }
}

/** The decisions as lines for a terminal. */
export function formatPolicyTest(r: PolicyTestResult): string {
  const lines = [`image: ${r.image}${r.digest ? ` (${r.digest})` : ''}`];
  for (const d of [r.push, r.pull]) {
    const verdict = d.allowed ? (d.violations.some((v) => v.action === 'deny') ? 'ALLOWED (warn mode)' : 'ALLOWED') : 'DENIED';
    lines.push('', `${d.gate}: ${verdict}`);
    if (d.violations.length === 0) lines.push('  no violations');
    for (const v of d.violations) {
      lines.push(`  ${v.action.padEnd(4)} [${v.severity}] ${v.rule}: ${v.summary}`);
      for (const item of v.items.slice(0, 10)) lines.push(`         ${item}`);
      if (v.items.length > 10) lines.push(`         and ${v.items.length - 10} more`);
    }
  }
  return `${lines.join('\n')}\n`;
}
