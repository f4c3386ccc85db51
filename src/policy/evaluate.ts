import type { EvaluationInput, PolicyVulnerability } from './input.js';
import { POLICY_SEVERITIES, type Gate, type GateRules, type Policy } from './schema.js';

export type ViolationRule = 'vulnerability' | 'secret' | 'misconfiguration' | 'base-image' | 'max-age' | 'end-of-life' | 'not-scanned' | 'signature' | 'allow-list';

export interface Violation {
  rule: ViolationRule;
  /** How bad: the worst severity among the items (policy-level rules rate themselves). */
  severity: string;
  /** deny refuses (in enforce mode); warn is recorded only. */
  action: 'deny' | 'warn';
  summary: string;
  items: string[];
}

export interface Decision {
  gate: Gate;
  mode: Policy['mode'];
  /** False only when an enforce-mode policy has a deny violation. */
  allowed: boolean;
  /** Worst first. */
  violations: Violation[];
  evaluatedAt: string;
}

const rank = (severity: string): number => {
  const s = severity.toUpperCase() === 'NEGLIGIBLE' ? 'LOW' : severity.toUpperCase();
  const i = POLICY_SEVERITIES.indexOf(s as (typeof POLICY_SEVERITIES)[number]);
  // UNKNOWN ranks below LOW for thresholds: an unrated finding does not trip a LOW threshold.
  return i < 0 || s === 'UNKNOWN' ? POLICY_SEVERITIES.length : i;
};

const worst = (severities: string[]): string => severities.reduce((a, b) => (rank(b) < rank(a) ? b : a), 'UNKNOWN');

/** `*` matches any run of characters; everything else is literal. */
export function globMatch(pattern: string, value: string): boolean {
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return re.test(value);
}

function vulnerabilityViolations(rules: NonNullable<GateRules['vulnerabilities']>, input: EvaluationInput, now: Date): Violation[] {
  const out: Violation[] = [];
  const live = rules.allow.filter((e) => !e.expires || Date.parse(e.expires) > now.getTime());
  const expired = rules.allow.filter((e) => e.expires && Date.parse(e.expires) <= now.getTime());
  const allowed = (v: PolicyVulnerability) =>
    live.some((e) => (e.id === v.id || v.aliases.includes(e.id)) && (!e.packages || e.packages.includes(v.packageName)));
  const over = input.vulnerabilities.filter((v) => rank(v.severity) <= rank(rules.severity) && !allowed(v));
  const counted = rules.onlyFixed ? over.filter((v) => v.status === 'fixed') : over;
  const unfixed = rules.onlyFixed ? over.filter((v) => v.status !== 'fixed') : [];
  const describe = (v: PolicyVulnerability) => `${v.id} [${v.severity}] ${v.packageName} ${v.packageVersion}${v.fixedVersion ? ` (fixed in ${v.fixedVersion})` : ''}`;
  const sorted = (list: PolicyVulnerability[]) => [...list].sort((a, b) => rank(a.severity) - rank(b.severity) || a.id.localeCompare(b.id));
  if (counted.length > 0) {
    out.push({
      rule: 'vulnerability',
      severity: worst(counted.map((v) => v.severity)),
      action: 'deny',
      summary: `${counted.length} vulnerabilit${counted.length === 1 ? 'y' : 'ies'} at or above ${rules.severity}${rules.onlyFixed ? ' with a fix available' : ''}`,
      items: sorted(counted).map(describe),
    });
  }
  if (unfixed.length > 0) {
    out.push({ rule: 'vulnerability', severity: worst(unfixed.map((v) => v.severity)), action: 'warn', summary: `${unfixed.length} vulnerabilities at or above ${rules.severity} without a fix yet`, items: sorted(unfixed).map(describe) });
  }
  for (const e of expired) out.push({ rule: 'allow-list', severity: 'LOW', action: 'warn', summary: `allow-list entry ${e.id} expired on ${e.expires}`, items: [e.justification] });
  return out;
}

function gateViolations(rules: GateRules, input: EvaluationInput, now: Date): Violation[] {
  const out: Violation[] = [];
  if (rules.requireScan && !input.scanned) {
    out.push({ rule: 'not-scanned', severity: 'HIGH', action: 'deny', summary: 'the image has not been scanned', items: [] });
  }
  if (rules.vulnerabilities) out.push(...vulnerabilityViolations(rules.vulnerabilities, input, now));
  if (rules.secrets) {
    const { rules: only, ignore } = rules.secrets;
    const hits = input.secrets.filter((s) => (!only || only.includes(s.ruleId)) && !ignore.includes(s.ruleId));
    if (hits.length > 0) {
      out.push({ rule: 'secret', severity: worst(hits.map((s) => s.severity)), action: 'deny', summary: `${hits.length} secret${hits.length === 1 ? '' : 's'} in the image`, items: hits.map((s) => `${s.ruleId}: ${s.where}`) });
    }
  }
  if (rules.misconfigurations) {
    const { deny, warn } = rules.misconfigurations;
    for (const [action, patterns] of [['deny', deny], ['warn', warn]] as const) {
      const hits = input.misconfigurations.filter((m) => patterns.some((p) => globMatch(p, m.id)) && (action === 'warn' ? !deny.some((p) => globMatch(p, m.id)) : true));
      for (const m of hits) out.push({ rule: 'misconfiguration', severity: m.severity, action, summary: `${m.id}: ${m.title}`, items: [] });
    }
  }
  if (rules.baseImages) {
    const allow = rules.baseImages.allow;
    const bad = input.baseImages.filter((b) => !allow.some((p) => globMatch(p, b)));
    if (input.baseImages.length === 0) out.push({ rule: 'base-image', severity: 'MEDIUM', action: 'deny', summary: 'the image does not declare its base image', items: [] });
    else if (bad.length > 0) out.push({ rule: 'base-image', severity: 'MEDIUM', action: 'deny', summary: 'base image not in the allow list', items: bad });
  }
  if (rules.maxAgeDays !== undefined && input.created) {
    const days = (now.getTime() - Date.parse(input.created)) / 86_400_000;
    if (days > rules.maxAgeDays) out.push({ rule: 'max-age', severity: 'MEDIUM', action: 'deny', summary: `image is ${Math.floor(days)} days old (limit ${rules.maxAgeDays})`, items: [] });
  }
  if (rules.endOfLife && input.os?.eol && Date.parse(input.os.eol) <= now.getTime()) {
    out.push({ rule: 'end-of-life', severity: 'HIGH', action: rules.endOfLife, summary: `${input.os.name} ${input.os.release} reached end of life on ${input.os.eol}`, items: [] });
  }
  if (rules.requireSignature) {
    const wanted = rules.requireSignature.keys;
    const verified = (input.signature?.verifiedKeys ?? []).filter((k) => !wanted || wanted.includes(k));
    if (verified.length === 0) {
      out.push({ rule: 'signature', severity: 'HIGH', action: 'deny', summary: 'no signature verifies with a trusted key', items: input.signature?.problems ?? ['no signature'] });
    }
  }
  return out;
}

/** Evaluates one gate of a policy. Pure: the same inputs and clock give the same decision. */
export function evaluate(policy: Policy, gate: Gate, input: EvaluationInput, now = new Date()): Decision {
  const violations = gateViolations(policy[gate], input, now).sort((a, b) => (a.action === b.action ? 0 : a.action === 'deny' ? -1 : 1) || rank(a.severity) - rank(b.severity));
  const denied = violations.some((v) => v.action === 'deny');
  return { gate, mode: policy.mode, allowed: !(denied && policy.mode === 'enforce'), violations, evaluatedAt: now.toISOString() };
}

/**
 * The DENIED message a docker/podman/skopeo user reads: every reason, worst first, with counts
 * and where to find the full report. Kept to one paragraph per reason, items abbreviated.
 */
export function denialMessage(decision: Decision, context: { project: string; reportUrl?: string }, maxItems = 5): string {
  const reasons = decision.violations.filter((v) => v.action === 'deny');
  const parts = reasons.map((v) => {
    const shown = v.items.slice(0, maxItems).join(', ');
    const more = v.items.length > maxItems ? ` and ${v.items.length - maxItems} more` : '';
    return `[${v.severity}] ${v.summary}${shown ? `: ${shown}${more}` : ''}`;
  });
  const report = context.reportUrl ? ` Report: ${context.reportUrl}` : '';
  return `${decision.gate} refused by the policy of project ${context.project}: ${parts.join('; ')}.${report}`;
}
