/** /api/v1 routes of the gates: stored reports, SBOMs and decisions per artifact, and the job queue. */
import { z } from 'zod/v4';
import { isDigest } from '../image/digest.js';
import { SBOM_WRITERS } from '../report/sbom/index.js';
import { apiPrincipal, requireAdmin, requireProjectMember } from '../server/api/context.js';
import { ApiError, notFound, parse } from '../server/api/errors.js';
import { param, type ApiDeps, type ApiRoute } from '../server/api/route.js';
import { ErrorBody } from '../server/api/schemas.js';
import type { AuthService } from '../server/auth/service.js';
import type { Gates } from './gates.js';
import type { StoredReport } from './report-store.js';

/** The gates of each server, found through the API's auth service (ApiDeps has no slot of its own for them). */
const bound = new WeakMap<AuthService, Gates>();

export function bindGatesApi(auth: AuthService, gates: Gates): void {
  bound.set(auth, gates);
}

function gatesOf(deps: ApiDeps): Gates {
  const gates = bound.get(deps.auth);
  if (!gates) throw ApiError.of(503, 'INTERNAL', 'the security gates are not enabled on this server');
  return gates;
}

const Counts = z.object({ CRITICAL: z.number(), HIGH: z.number(), MEDIUM: z.number(), LOW: z.number(), UNKNOWN: z.number() }).catchall(z.number());
const ArtifactView = z.object({
  digest: z.string(),
  createdAt: z.string().describe('when the report was made (the push)'),
  decision: z.object({ allowed: z.boolean(), mode: z.string(), violations: z.number() }),
  vulnerabilities: Counts.describe('vulnerabilities per severity'),
  secrets: z.number(),
  misconfigurations: z.number(),
  packages: z.number(),
  attachments: z
    .array(z.object({ digest: z.string(), kind: z.enum(['signature', 'attestation', 'sbom', 'other']), artifactType: z.string().optional() }))
    .describe('signatures, attestations and SBOMs attached to the image (OCI referrers and cosign tags)'),
});
const ViolationView = z.object({ rule: z.string(), severity: z.string(), action: z.enum(['deny', 'warn']), summary: z.string(), items: z.array(z.string()) });
const DecisionView = z.object({
  repository: z.string(),
  digest: z.string(),
  gate: z.enum(['push', 'pull']),
  mode: z.enum(['enforce', 'warn']),
  allowed: z.boolean(),
  violations: z.array(ViolationView),
  evaluatedAt: z.string(),
});
const ReportView = z.record(z.string(), z.unknown()).describe('the scan report (schema src/report/schema/scan-report.schema.json)');
const SbomQuery = z.object({ format: z.enum(Object.keys(SBOM_WRITERS) as [keyof typeof SBOM_WRITERS, ...(keyof typeof SBOM_WRITERS)[]]).default('cyclonedx') });
const JobsQuery = z.object({
  queue: z.string().max(100).optional(),
  state: z.enum(['queued', 'running', 'done', 'failed']).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
const JobView = z.object({
  id: z.number(),
  queue: z.string(),
  key: z.string().nullable(),
  state: z.string(),
  attempts: z.number(),
  maxAttempts: z.number(),
  lastError: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
const JobsView = z.object({ counts: z.array(z.object({ queue: z.string(), state: z.string(), count: z.number() })), jobs: z.array(JobView) });

const missing = { status: 404, description: 'no such project, repository or report', schema: ErrorBody };
const ARTIFACT = '/projects/:project/repositories/:repository/artifacts';

/** `repository` is the path below the project (URL-encoded when it has slashes); a single-component repository is the project itself. */
function repositoryName(project: string, repository: string): string {
  return repository === project ? project : `${project}/${repository}`;
}

async function storedReport(req: Parameters<ApiRoute['handler']>[0], deps: ApiDeps): Promise<StoredReport> {
  const { project } = await requireProjectMember(req, deps.auth, param(req, 'project'));
  const gates = gatesOf(deps);
  const digest = param(req, 'digest');
  const repo = param(req, 'repository');
  if (!isDigest(digest)) throw notFound(`artifact ${digest}`);
  const found = (await gates.reports.get(repositoryName(project.name, repo), digest)) ?? (repo === project.name ? undefined : await gates.reports.get(`${project.name}/${repo}`, digest));
  if (!found) throw notFound(`report of ${repositoryName(project.name, repo)}@${digest}`);
  return found;
}

export const GATE_ROUTES: ApiRoute[] = [
  {
    method: 'GET', path: ARTIFACT, operationId: 'listArtifacts', tag: 'reports', access: 'project-member',
    summary: 'Analysed artifacts of a repository, newest first, with a vulnerability summary and the push decision (members)',
    responses: [{ status: 200, description: 'artifacts', schema: z.array(ArtifactView) }, missing],
    async handler(req, _reply, deps) {
      const { project } = await requireProjectMember(req, deps.auth, param(req, 'project'));
      const gates = gatesOf(deps);
      const repository = repositoryName(project.name, param(req, 'repository'));
      // Only analysed images have reports: signatures and attestations appear under their subject, not as artifacts.
      const artifacts = await gates.reports.list(repository);
      return Promise.all(artifacts.map(async (a) => ({ ...a, attachments: await gates.attachments(repository, a.digest) })));
    },
  },
  {
    method: 'GET', path: `${ARTIFACT}/:digest/report`, operationId: 'getArtifactReport', tag: 'reports', access: 'project-member',
    summary: 'The scan report of an artifact as made at its push (members)',
    responses: [{ status: 200, description: 'the report', schema: ReportView }, missing],
    async handler(req, _reply, deps) {
      return (await storedReport(req, deps)).report;
    },
  },
  {
    method: 'GET', path: `${ARTIFACT}/:digest/sbom`, operationId: 'getArtifactSbom', tag: 'reports', access: 'project-member', query: SbomQuery,
    summary: 'The SBOM of an artifact from its stored inventory: CycloneDX 1.6 or SPDX 2.3 JSON (members)',
    responses: [{ status: 200, description: 'the SBOM document', schema: z.record(z.string(), z.unknown()) }, missing],
    async handler(req, reply, deps) {
      const stored = await storedReport(req, deps);
      const { format } = parse(SbomQuery, req.query, 'query');
      const text = SBOM_WRITERS[format]({ name: `${stored.repository}@${stored.digest}`, inventory: stored.inventory });
      return reply.header('content-type', format === 'cyclonedx' ? 'application/vnd.cyclonedx+json' : 'application/spdx+json').send(text);
    },
  },
  {
    method: 'GET', path: `${ARTIFACT}/:digest/decision`, operationId: 'getArtifactDecision', tag: 'reports', access: 'project-member',
    summary: 'The push decision recorded for an artifact (members)',
    responses: [{ status: 200, description: 'the decision', schema: DecisionView }, missing],
    async handler(req, _reply, deps) {
      const stored = await storedReport(req, deps);
      return { repository: stored.repository, digest: stored.digest, ...stored.decision };
    },
  },
  {
    method: 'GET', path: '/system/signing-key', operationId: 'getSigningKey', tag: 'reports', access: 'public',
    summary: "The server's public key (PEM) that verifies its gate-decision attestations (`portcullis verify-attestation --key`)",
    responses: [{ status: 200, description: 'the public key, PEM', schema: z.string() }, { status: 404, description: 'this server has no signing key', schema: ErrorBody }],
    async handler(req, reply, deps) {
      // Anonymous is fine; credentials that are offered must still be valid (as on every public route).
      await apiPrincipal(req, deps.auth);
      const pem = gatesOf(deps).signingKeyPem();
      if (!pem) throw notFound('signing key');
      return reply.header('content-type', 'application/x-pem-file').send(pem);
    },
  },
  {
    method: 'GET', path: '/jobs', operationId: 'listJobs', tag: 'jobs', access: 'admin', query: JobsQuery,
    summary: 'Background jobs (layer analysis): counts per queue and state, and the most recent jobs',
    responses: [{ status: 200, description: 'jobs', schema: JobsView }],
    async handler(req, _reply, deps) {
      await requireAdmin(req, deps.auth);
      const q = parse(JobsQuery, req.query, 'query');
      const { queue } = gatesOf(deps);
      const jobs = await queue.list({ ...(q.queue ? { queue: q.queue } : {}), ...(q.state ? { state: q.state } : {}), limit: q.limit });
      return {
        counts: await queue.counts(),
        jobs: jobs.map((j) => ({
          id: j.id, queue: j.queue, key: j.key, state: j.state, attempts: j.attempts, maxAttempts: j.maxAttempts, lastError: j.lastError,
          createdAt: j.createdAt.toISOString(), updatedAt: j.updatedAt.toISOString(),
        })),
      };
    },
  },
];
