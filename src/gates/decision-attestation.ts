import type { KeyObject } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Logger } from 'pino';
import { digestOf } from '../image/digest.js';
import { MediaType } from '../image/mediatypes.js';
import type { Decision, Policy } from '../policy/index.js';
import type { ManifestPushContext, Registry } from '../registry/registry.js';
import type { ScanReport } from '../scan/types.js';
import { decisionAttestation } from '../signing/decision.js';

interface Pending {
  decision: Decision;
  report: ScanReport;
}

/**
 * The registry's own attestation of a push decision (policy `attestDecision`), written as a
 * referrer of the image once the image is stored. The push gate remembers the decision at
 * beforeManifestPut; manifestPut (after the commit) writes the attestation. The pending entry is
 * keyed by the pushed manifest's bytes (the same Buffer travels through both hooks), so a push
 * that fails between the two leaves nothing behind. The referrer has a `subject`, so neither the
 * push gate nor this hook acts on it again: no recursion.
 */
export class DecisionAttester {
  private readonly pending = new WeakMap<Buffer, Pending>();
  private host = '';

  constructor(
    private readonly key: { privateKey: KeyObject } | undefined,
    private readonly logger: Logger | undefined,
  ) {}

  /** Names the subject `host/repository`, as clients name the image. */
  setHost(host: string): void {
    this.host = host;
  }

  /** Called by the push gate with its decision; only allowed pushes of opted-in projects are attested. */
  remember(ctx: ManifestPushContext, policy: Policy, decision: Decision, report: ScanReport): void {
    if (!this.key || policy.attestDecision !== true || !decision.allowed) return;
    this.pending.set(ctx.content, { decision, report });
  }

  /** After the image is stored: attaches the attestation. Failures are logged; the client's push has succeeded. */
  async stored(registry: Registry | undefined, ctx: ManifestPushContext): Promise<void> {
    const pending = this.pending.get(ctx.content);
    if (!pending || !this.key || !registry) return;
    this.pending.delete(ctx.content);
    try {
      const name = this.host ? `${this.host}/${ctx.repository}` : ctx.repository;
      const descriptor = { mediaType: ctx.parsed.mediaType, digest: ctx.digest, size: ctx.content.length };
      const { referrer } = decisionAttestation(pending.decision, pending.report, { name, descriptor }, this.key);
      for (const blob of referrer.blobs) await registry.putBlob(ctx.repository, digestOf(blob), Readable.from([blob]));
      const { digest } = await registry.putManifest(ctx.repository, digestOf(referrer.manifest), referrer.manifest, MediaType.OciManifest);
      this.logger?.info({ repository: ctx.repository, digest: ctx.digest, attestation: digest }, 'gate decision attested');
    } catch (err) {
      this.logger?.warn({ err, repository: ctx.repository, digest: ctx.digest }, 'could not attach the gate decision attestation');
    }
  }
}
