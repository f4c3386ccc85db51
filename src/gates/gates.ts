import type { KeyObject } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { Histogram, type Registry as PromRegistry } from 'prom-client';
import type { AuditRecorder } from '../audit/event.js';
import { projectOfRepository } from '../identity/names.js';
import type { IdentityStore } from '../identity/store.js';
import { parseManifest } from '../image/manifest.js';
import { JobQueue } from '../jobs/queue.js';
import type { SqlDialect } from '../metadata/migrations/types.js';
import { denialMessage, evaluate, type Decision, type EvaluationInput, type Policy, type PolicySignature, type PolicyStore, type TrustedKeyStore } from '../policy/index.js';
import { RegistryError } from '../registry/errors.js';
import { parseAccept } from '../registry/negotiate.js';
import type { ManifestPushContext, Registry, RegistryHooks } from '../registry/registry.js';
import type { ScanReport } from '../scan/types.js';
import type { AccessControl, Principal } from '../server/distribution/access.js';
import { parseV2Path } from '../server/distribution/paths.js';
import { verifyStoredSignatures } from '../signing/stored.js';
import type { BlobStore } from '../storage/blobstore.js';
import { resolveCacheDir } from '../vulndb/db/paths.js';
import { AnalysisMemo } from './analysis-memo.js';
import { artifactKind } from './artifact.js';
import { attachmentsOf, type Attachment } from './attachments.js';
import { DecisionAttester } from './decision-attestation.js';
import { LayerJobs } from './layer-jobs.js';
import { analyseLayerBlob } from './analyse-layer.js';
import { defaultLayerWorker, LayerPool, streamInThread } from './layer-pool.js';
import { LayerStreams } from './layer-streams.js';
import { DbLayerStore } from './layer-store.js';
import { analysePushedImage, rememberLayerView, VulnDbHandle } from './push-gate.js';
import { ReportStore } from './report-store.js';

/** A decision of either gate (push: every one; pull: those with violations). */
export interface GateDecisionEvent {
  gate: 'push' | 'pull';
  project: string;
  repository: string;
  digest: string;
  tag?: string;
  decision: Decision;
  reportUrl: string;
  durationMs: number;
}

export interface ScanCompletedEvent {
  repository: string;
  digest: string;
  tag?: string;
  report: ScanReport;
}

export interface GatesOptions {
  // The shared metadata database (typed for its own tables by each store).
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>;
  dialect: SqlDialect;
  blobs: BlobStore;
  policies: PolicyStore;
  trustedKeys: TrustedKeyStore;
  /** Projects and roles; without it every repository gets the system policy and nobody is exempt. */
  identity?: IdentityStore;
  audit?: AuditRecorder;
  /** false: nothing is analysed or gated (default true). */
  enabled?: boolean;
  /** Longest wait at manifest PUT for layer analyses still running (default 30 s). */
  waitForAnalysisMs?: number;
  /** Layer jobs run at once by this process (default 2). */
  analysisConcurrency?: number;
  /**
   * Layers analysed at once while their uploads stream in (default 4; each holds a worker thread
   * while its upload lasts); 0 turns this off, and every layer goes through the job queue.
   */
  streamingAnalyses?: number;
  /** Worker entry for layer analysis (default: the compiled layer-worker.js beside this module, if present); false: in-thread. */
  layerWorkerFile?: string | false;
  /** Where the vulnerability DB lives (default PORTCULLIS_CACHE_DIR or ~/.cache/portcullis). */
  cacheDir?: string;
  logger?: Logger;
  /** The server's Prometheus registry, for the decision-time histogram. */
  metrics?: PromRegistry;
  /** Webhooks and other listeners (errors are logged, never fail the request). */
  onDecision?: (event: GateDecisionEvent) => void | Promise<void>;
  onScanCompleted?: (event: ScanCompletedEvent) => void | Promise<void>;
  /** The server's key: signs the decision attestations of projects whose policy has `attestDecision`; its public half is published. */
  serverKey?: { privateKey: KeyObject; publicKey: KeyObject };
}

const JOB_HISTORY_MS = 24 * 3600 * 1000;
const PRUNE_EVERY_MS = 3600 * 1000;
const SIGNERS = new Set(['projectAdmin', 'maintainer']);
const NOT_SCANNED: EvaluationInput = { scanned: false, vulnerabilities: [], secrets: [], misconfigurations: [], baseImages: [] };

/**
 * The registry's security gates: layer analysis as blobs arrive, the push gate at manifest PUT
 * (beforeManifestPut, so a refused push leaves no tag), the pull gate in front of manifest
 * GET/HEAD, and the stored reports and decisions the API serves.
 */
export class Gates {
  readonly enabled: boolean;
  readonly reports: ReportStore;
  readonly layers: DbLayerStore;
  readonly queue: JobQueue;
  private readonly jobs: LayerJobs;
  private readonly pool: LayerPool | undefined;
  private readonly streamPool: LayerPool | undefined;
  /** Upload-analysis threads kept alive and warmed up at start. */
  private readonly warmThreads: number;
  private readonly streams: LayerStreams | undefined;
  private readonly vulnDb: VulnDbHandle;
  private readonly cacheDir: string;
  private readonly waitMs: number;
  private readonly histogram: Histogram<'gate' | 'outcome'> | undefined;
  private registry: Registry | undefined;
  private baseUrl = '';
  private pruner: NodeJS.Timeout | undefined;
  private readonly attester: DecisionAttester;
  private readonly analyses = new AnalysisMemo();

  constructor(private readonly opts: GatesOptions) {
    this.enabled = opts.enabled ?? true;
    this.reports = new ReportStore(opts.db);
    this.layers = new DbLayerStore(opts.db);
    this.queue = new JobQueue(opts.db, opts.dialect);
    const concurrency = opts.analysisConcurrency ?? 2;
    const workerFile = opts.layerWorkerFile === undefined ? defaultLayerWorker() : opts.layerWorkerFile || undefined;
    // Worker threads when the compiled worker exists (dist/); from sources (tests, tsx) the walk runs in this thread.
    this.pool = this.enabled && workerFile ? new LayerPool(workerFile, concurrency) : undefined;
    const pool = this.pool;
    const streaming = this.enabled ? (opts.streamingAnalyses ?? 4) : 0;
    // Two threads kept and warmed up (an image's layers arrive together), so the first uploads after
    // a start or a quiet spell neither wait for a worker to load nor run cold.
    this.warmThreads = Math.min(2, streaming);
    this.streamPool = streaming > 0 && workerFile ? new LayerPool(workerFile, streaming, this.warmThreads) : undefined;
    const streamPool = this.streamPool;
    this.jobs = new LayerJobs(this.queue, this.layers, opts.blobs, opts.db, {
      concurrency,
      // PostgreSQL may be shared by several processes: they learn of each other's streamed analyses through the queue.
      markStreamed: opts.dialect === 'postgres',
      rememberView: rememberLayerView,
      ...(opts.logger ? { logger: opts.logger } : {}),
      ...(pool ? { analyse: (digest: string, stream: Readable) => pool.analyse(digest, stream) } : {}),
    });
    this.streams =
      streaming > 0
        ? new LayerStreams({
            start: (placeholder) => (streamPool ? streamPool.stream(placeholder) : streamInThread(analyseLayerBlob, placeholder)),
            maxStreams: streaming,
            onCommitted: (digest, size, stream) => this.jobs.adopt(digest, size, stream),
            ...(opts.logger ? { logger: opts.logger } : {}),
          })
        : undefined;
    this.cacheDir = resolveCacheDir(opts.cacheDir);
    this.vulnDb = new VulnDbHandle(this.cacheDir);
    this.waitMs = opts.waitForAnalysisMs ?? 30_000;
    this.attester = new DecisionAttester(opts.serverKey, opts.logger);
    this.histogram = opts.metrics
      ? new Histogram({
          name: 'portcullis_gate_decision_seconds',
          help: 'Time from the gate being asked (manifest PUT or GET) to its decision',
          labelNames: ['gate', 'outcome'],
          buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30],
          registers: [opts.metrics],
        })
      : undefined;
  }

  /** The registry whose manifests the pull gate reads (it is built with this object's hooks). */
  attach(registry: Registry): void {
    this.registry = registry;
  }

  /** The server's external URL, for report links in denial messages. */
  setBaseUrl(url: string): void {
    this.baseUrl = url.replace(/\/+$/, '');
    if (URL.canParse(this.baseUrl)) this.attester.setHost(new URL(this.baseUrl).host);
  }

  start(): void {
    if (!this.enabled) return;
    this.jobs.start();
    this.streamPool?.warmUp(this.warmThreads).catch((err: unknown) => this.opts.logger?.debug({ err }, 'layer analysis warm-up failed'));
    // Finished layer jobs are only history (the facts are in the layer store): keep a day of them.
    this.pruner = setInterval(() => {
      this.queue.prune(new Date(Date.now() - JOB_HISTORY_MS)).catch((err: unknown) => this.opts.logger?.warn({ err }, 'job pruning failed'));
    }, PRUNE_EVERY_MS);
    this.pruner.unref();
  }

  async close(): Promise<void> {
    if (this.pruner) clearInterval(this.pruner);
    this.streams?.close();
    await this.jobs.stop();
    await this.streamPool?.close();
    await this.pool?.close();
    this.vulnDb.close();
  }

  reportUrl(repository: string, digest: string): string {
    const project = projectOfRepository(repository);
    const rest = repository.length > project.length ? repository.slice(project.length + 1) : repository;
    return `${this.baseUrl}/api/v1/projects/${encodeURIComponent(project)}/repositories/${encodeURIComponent(rest)}/artifacts/${digest}/report`;
  }

  hooks(): RegistryHooks {
    if (!this.enabled) return {};
    return {
      ...(this.streams ? { uploadTap: this.streams } : {}),
      blobCommitted: async (_repository, digest, size, how) => {
        try {
          await this.jobs.blobCommitted(digest, size, how === 'upload' ? this.streams?.knownLayer(digest) : undefined);
        } catch (err) {
          // An upload never fails for its analysis: the push gate analyses what is missing.
          this.opts.logger?.warn({ err, digest }, 'could not queue layer analysis');
        }
      },
      beforeManifestPut: (ctx) => this.pushGate(ctx),
      manifestPut: (ctx) => this.attester.stored(this.registry, ctx),
      manifestDeleted: async (repository, digest) => {
        await this.reports.delete(repository, digest);
      },
    };
  }

  private async project(repository: string): Promise<{ name: string; id?: string }> {
    const name = projectOfRepository(repository);
    const found = await this.opts.identity?.getProject(name);
    return found ? { name, id: found.id } : { name };
  }

  private async policy(project: { id?: string }): Promise<Policy> {
    const effective = project.id ? await this.opts.policies.effectivePolicy(project.id) : await this.opts.policies.systemPolicy();
    return effective.policy;
  }

  private async pushGate(ctx: ManifestPushContext): Promise<void> {
    if (artifactKind(ctx.parsed) !== 'image') return;
    const started = performance.now();
    const project = await this.project(ctx.repository);
    const policy = await this.policy(project);
    const analysis = await analysePushedImage(
      { blobs: this.opts.blobs, layers: this.layers, jobs: this.jobs, vulnDb: this.vulnDb, cacheDir: this.cacheDir, waitMs: this.waitMs, memo: this.analyses },
      ctx,
    );
    const decision = evaluate(policy, 'push', analysis.input);
    await this.reports.put({ repository: ctx.repository, digest: ctx.digest, report: analysis.report, inventory: analysis.inventory, input: analysis.input, decision });
    const durationMs = performance.now() - started;
    const reportUrl = this.reportUrl(ctx.repository, ctx.digest);
    const tag = ctx.tag !== undefined ? { tag: ctx.tag } : {};
    this.histogram?.observe({ gate: 'push', outcome: decision.allowed ? 'allowed' : 'denied' }, durationMs / 1000);
    this.opts.logger?.info(
      { repository: ctx.repository, digest: ctx.digest, allowed: decision.allowed, violations: decision.violations.length, lateLayers: analysis.lateLayers, durationMs: Math.round(durationMs) },
      'push gate decision',
    );
    await this.recordDecision({ gate: 'push', project: project.name, repository: ctx.repository, digest: ctx.digest, ...tag, decision, reportUrl, durationMs });
    await this.notify(() => this.opts.onScanCompleted?.({ repository: ctx.repository, digest: ctx.digest, ...tag, report: analysis.report }));
    if (!decision.allowed) throw new RegistryError('DENIED', denialMessage(decision, { project: project.name, reportUrl }), { reasons: reasonsOf(decision) });
    this.attester.remember(ctx, policy, decision, analysis.report);
  }

  /** Signatures, attestations and SBOMs attached to an artifact (none before the registry is attached). */
  async attachments(repository: string, digest: string): Promise<Attachment[]> {
    return this.registry ? attachmentsOf(this.registry, repository, digest) : [];
  }

  /** The server's public key (PEM) that verifies its decision attestations, if it has one. */
  signingKeyPem(): string | undefined {
    return this.opts.serverKey?.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  }

  private async recordDecision(event: GateDecisionEvent): Promise<void> {
    const { decision } = event;
    const denied = decision.violations.some((v) => v.action === 'deny');
    await this.opts.audit?.record({
      actor: { type: 'system', name: 'gates' },
      action: 'policy.decision',
      repository: event.repository,
      digest: event.digest,
      tag: event.tag ?? null,
      outcome: decision.allowed ? 'success' : 'denied',
      reasons: reasonsOf(decision),
      detail: { gate: event.gate, project: event.project, mode: decision.mode, allowed: decision.allowed, violated: denied, durationMs: Math.round(event.durationMs) },
    });
    await this.notify(() => this.opts.onDecision?.(event));
  }

  private async notify(fn: () => void | Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      this.opts.logger?.warn({ err }, 'gate listener failed');
    }
  }

  /** The /v2 access control with the pull gate in front of manifest GET and HEAD. */
  accessControl(inner: AccessControl): AccessControl {
    if (!this.enabled) return inner;
    return {
      authorize: async (request, access) => {
        const principal = await inner.authorize(request, access);
        if (access.type === 'repository' && (request.method === 'GET' || request.method === 'HEAD')) await this.pullGateFor(request, principal);
        return principal;
      },
      canPull: (principal, repository) => inner.canPull(principal, repository),
    };
  }

  private async pullGateFor(request: FastifyRequest, principal: Principal): Promise<void> {
    const url = request.raw.url ?? '/';
    const q = url.indexOf('?');
    const route = parseV2Path(q < 0 ? url : url.slice(0, q));
    if (route?.kind !== 'manifest') return;
    await this.pullGate(route.name, route.reference, request.headers.accept, principal);
  }

  /** Throws DENIED when the project's pull policy refuses the manifest `reference` names. */
  async pullGate(repository: string, reference: string, accept: string | string[] | undefined, principal: Principal): Promise<void> {
    const started = performance.now();
    const project = await this.project(repository);
    const policy = await this.policy(project);
    if (!Object.values(policy.pull).some((rule) => rule !== undefined)) return;
    const registry = this.registry;
    if (!registry) return;
    let stored;
    try {
      stored = await registry.getManifest(repository, reference, parseAccept(accept), { recordPull: false });
      if (artifactKind(parseManifest(stored.content, stored.mediaType)) !== 'image') return;
    } catch {
      // Unknown or unreadable: the route itself answers with the right error.
      return;
    }
    const input: EvaluationInput = (await this.reports.input(repository, stored.digest)) ?? { ...NOT_SCANNED };
    let effective = policy;
    if (policy.pull.requireSignature) {
      if (await this.maySign(principal, project)) {
        // Whoever must sign an image has to be able to pull it first.
        const { requireSignature: _exempt, ...rest } = policy.pull;
        effective = { ...policy, pull: rest };
      } else input.signature = await this.signatures(registry, repository, stored.digest, project);
    }
    const decision = evaluate(effective, 'pull', input);
    if (decision.violations.length === 0) return;
    const durationMs = performance.now() - started;
    const reportUrl = this.reportUrl(repository, stored.digest);
    this.histogram?.observe({ gate: 'pull', outcome: decision.allowed ? 'allowed' : 'denied' }, durationMs / 1000);
    const tag = stored.digest === reference ? {} : { tag: reference };
    await this.recordDecision({ gate: 'pull', project: project.name, repository, digest: stored.digest, ...tag, decision, reportUrl, durationMs });
    if (!decision.allowed) throw new RegistryError('DENIED', denialMessage(decision, { project: project.name, reportUrl }), { reasons: reasonsOf(decision) });
  }

  private async maySign(principal: Principal, project: { id?: string }): Promise<boolean> {
    if (principal.kind !== 'user' || !this.opts.identity || !project.id) return false;
    const user = await this.opts.identity.getUser(principal.name);
    if (!user) return false;
    if (user.admin) return true;
    const role = await this.opts.identity.roleOf(project.id, user.id);
    return role !== null && SIGNERS.has(role);
  }

  private async signatures(registry: Registry, repository: string, digest: string, project: { id?: string }): Promise<PolicySignature> {
    try {
      const keys = project.id ? await this.opts.trustedKeys.verificationKeys(project.id) : [];
      return await verifyStoredSignatures(registry, repository, digest, keys);
    } catch (err) {
      return { verifiedKeys: [], problems: [`signature verification failed: ${(err as Error).message}`] };
    }
  }
}

function reasonsOf(decision: Decision): string[] {
  return decision.violations.map((v) => `${v.action} ${v.rule}: ${v.summary}`);
}
