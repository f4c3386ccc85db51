/**
 * Continuous re-evaluation: every stored inventory is matched again against the current
 * vulnerability DB (no layer is read again). Where the findings changed, the stored report and the
 * pull gate's input are updated — the pull gate evaluates that input, so an artifact that now
 * violates the pull policy is refused from then on — and an audit event and a `reevaluated`
 * webhook say what changed.
 */
import { projectOfRepository } from '../identity/names.js';
import { evaluate, inputFromReport, type Decision, type EvaluationInput, type Policy } from '../policy/index.js';
import { computeTotals } from '../scan/totals.js';
import type { ScanReport } from '../scan/types.js';
import { matchInventory } from '../vulndb/match/index.js';
import type { VulnFinding } from '../vulndb/types.js';
import type { ArtifactChange, ReevaluateDeps, ReevaluationSummary, StoredArtifact } from './types.js';

/** Set by the gates when an image was pushed while no vulnerability DB existed. */
const NO_VULN_DATA = 'no-vulnerability-data';

const label = (f: VulnFinding): string => `${f.advisoryId} ${f.package.name}@${f.package.version}`;

/** Everything about a finding that a policy or a reader looks at. */
const fingerprint = (f: VulnFinding): string =>
  [f.advisoryId, f.package.purl, f.package.path, f.severity, f.status, f.fixedVersion ?? '', [...f.aliases].sort().join(',')].join('\0');

export function defaultProjectOf(repository: string): string {
  return projectOfRepository(repository);
}

/**
 * The pull decision on what is stored. Signatures are checked at pull time, not stored, so the
 * signature rule is left out here: re-evaluation judges the findings.
 */
export function pullDecision(policy: Policy, input: EvaluationInput, now: Date): Decision {
  const { requireSignature: _ignored, ...pull } = policy.pull;
  return evaluate({ ...policy, pull }, 'pull', input, now);
}

export function denyReasons(decision: Decision): string[] {
  return decision.violations.filter((v) => v.action === 'deny').map((v) => `[${v.severity}] ${v.summary}${v.items.length ? `: ${v.items.slice(0, 10).join(', ')}` : ''}`);
}

/** The report with new vulnerability findings (fresh totals; the "no vulnerability data" warning gone). */
function withFindings(report: ScanReport, vulnerabilities: VulnFinding[], warnings: ScanReport['warnings'], now: Date): ScanReport {
  const scanners = report.scanners.includes('vuln') ? report.scanners : (['vuln', ...report.scanners] as ScanReport['scanners']);
  return {
    ...report,
    createdAt: now.toISOString(),
    scanners,
    vulnerabilities,
    warnings: [...report.warnings.filter((w) => w.code !== NO_VULN_DATA && w.code !== 'version-compare' && w.code !== 'unknown-ecosystem'), ...warnings],
    totals: computeTotals({ vulnerabilities, secrets: report.secrets, misconfigurations: report.misconfigurations }),
  };
}

async function reevaluateOne(deps: ReevaluateDeps, a: StoredArtifact, now: Date): Promise<ArtifactChange | undefined> {
  const warnings: ScanReport['warnings'] = [];
  const found = matchInventory(deps.db, a.inventory, { ...deps.matchOptions, onWarning: (code, message) => warnings.push({ code, message }) });
  const before = new Map(a.report.vulnerabilities.map((f) => [fingerprint(f), f]));
  const after = new Map(found.map((f) => [fingerprint(f), f]));
  const added = [...after].filter(([k]) => !before.has(k)).map(([, f]) => label(f));
  const removed = [...before].filter(([k]) => !after.has(k)).map(([, f]) => label(f));
  if (added.length === 0 && removed.length === 0) return undefined;

  const report = withFindings(a.report, found, warnings, now);
  // Only the vulnerabilities change: config-derived facts (age, base image) stay as the gate stored them.
  const input: EvaluationInput = { ...a.input, scanned: true, vulnerabilities: inputFromReport(report).vulnerabilities };
  const project = (deps.projectOf ?? defaultProjectOf)(a.repository);
  const policy = await deps.policyFor(project);
  const was = pullDecision(policy, a.input, now);
  const is = pullDecision(policy, input, now);
  await deps.store.updateFindings(a.repository, a.digest, { report, input });

  const reasons = denyReasons(is);
  const change: ArtifactChange = {
    repository: a.repository,
    digest: a.digest,
    project,
    added: [...new Set(added)].sort(),
    removed: [...new Set(removed)].sort(),
    allowed: is.allowed,
    newlyBlocked: was.allowed && !is.allowed,
    reasons,
  };
  await deps.audit.record({
    actor: { type: 'system', name: 'reevaluation' },
    action: 'artifact.reevaluated',
    repository: a.repository,
    digest: a.digest,
    outcome: is.allowed ? 'success' : 'denied',
    reasons,
    detail: {
      project,
      added: change.added.slice(0, 100),
      removed: change.removed.slice(0, 100),
      addedCount: change.added.length,
      removedCount: change.removed.length,
      newlyBlocked: change.newlyBlocked,
      previouslyAllowed: was.allowed,
      mode: is.mode,
    },
    time: now,
  });
  const counts = `${change.added.length} new, ${change.removed.length} gone`;
  await deps.webhooks?.emit({
    type: 'reevaluated',
    project,
    repository: a.repository,
    digest: a.digest,
    decision: is.allowed ? 'allow' : 'deny',
    summary: is.allowed ? `findings changed (${counts}); pull allowed` : `findings changed (${counts}); pull ${change.newlyBlocked ? 'now ' : ''}refused: ${reasons.join('; ')}`,
    actor: 'system',
    time: now.toISOString(),
  });
  return change;
}

/** Re-matches every stored artifact once; see the module comment. */
export async function reevaluateAll(deps: ReevaluateDeps): Promise<ReevaluationSummary> {
  const now = (deps.now ?? (() => new Date()))();
  const summary: ReevaluationSummary = { artifacts: 0, changed: [], errors: 0 };
  let cursor: string | undefined;
  do {
    const page = await deps.store.keys(cursor, deps.batchSize ?? 100);
    for (const key of page.keys) {
      try {
        const a = await deps.store.get(key.repository, key.digest);
        // Deleted since it was listed.
        if (!a) continue;
        summary.artifacts++;
        const change = await reevaluateOne(deps, a, now);
        if (change) summary.changed.push(change);
      } catch (err) {
        summary.errors++;
        deps.onError?.(key, err);
      }
      // Matching is synchronous SQLite work: let requests in between artifacts.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    cursor = page.next;
  } while (cursor !== undefined);
  return summary;
}
