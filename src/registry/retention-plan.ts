/**
 * Retention planning, pure: given one repository's manifests and the policies that apply to it,
 * which tags and manifests go. Signatures and attestations (manifests with a `subject`, and
 * cosign's `sha256-<hex>.sig|.att|.sbom` tags) are not images: they are never counted nor
 * judged themselves, and go together with the manifest they belong to.
 */
import type { RetentionManifest, RetentionPolicy } from '../metadata/store.js';
import { matchesPattern } from './patterns.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const COSIGN_TAG = /^(sha256|sha512)-([0-9a-f]{64}|[0-9a-f]{128})\.(sig|att|sbom)$/;

export type RetentionReason = 'keep-last' | 'untagged' | 'not-pulled' | 'subject-deleted';

export interface PlannedManifest {
  digest: string;
  tags: string[];
  reason: RetentionReason;
  /** Policy that caused it (the subject's, for artifacts that go with their subject). */
  policyId: number;
}

export interface PlannedTag {
  tag: string;
  digest: string;
  policyId: number;
}

export interface RetentionPlan {
  manifests: PlannedManifest[];
  /** Tags removed while their manifest stays (another tag or an index still keeps it). */
  tags: PlannedTag[];
  /** What a policy selected but an immutable tag protects. */
  protected: Array<{ digest: string; tag: string; policyId: number }>;
}

/** Digest a cosign-style tag belongs to (`sha256-abc.sig` → `sha256:abc`). */
export function cosignSubject(tag: string): string | undefined {
  const m = COSIGN_TAG.exec(tag);
  return m ? `${m[1]}:${m[2]}` : undefined;
}

export function planRetention(
  manifests: RetentionManifest[],
  policies: RetentionPolicy[],
  now: number,
  isImmutable: (tag: string) => boolean,
): RetentionPlan {
  const byDigest = new Map(manifests.map((m) => [m.digest, m]));
  const isArtifact = (m: RetentionManifest) =>
    m.subject !== null || (m.tags.length > 0 && m.tags.every((t) => cosignSubject(t.name) !== undefined));
  const images = manifests.filter((m) => !isArtifact(m));
  const imageTags = (m: RetentionManifest) => m.tags.filter((t) => cosignSubject(t.name) === undefined);

  const doomed = new Map<string, PlannedManifest>();
  const removedTags = new Map<string, PlannedTag>();
  const protectedOnes: RetentionPlan['protected'] = [];

  const doom = (m: RetentionManifest, reason: RetentionReason, policyId: number): void => {
    if (doomed.has(m.digest) || m.hasParent) return;
    const locked = m.tags.find((t) => isImmutable(t.name));
    if (locked) {
      protectedOnes.push({ digest: m.digest, tag: locked.name, policyId });
      return;
    }
    doomed.set(m.digest, { digest: m.digest, tags: m.tags.map((t) => t.name), reason, policyId });
  };

  for (const p of policies) {
    if (p.keepLast !== null) {
      const tags = images
        .flatMap((m) => imageTags(m).map((t) => ({ ...t, m })))
        .filter((t) => matchesPattern(p.tagPattern, t.name))
        .sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime() || (a.name < b.name ? -1 : 1));
      for (const t of tags.slice(p.keepLast)) {
        if (isImmutable(t.name)) protectedOnes.push({ digest: t.digest, tag: t.name, policyId: p.id });
        else removedTags.set(t.name, { tag: t.name, digest: t.digest, policyId: p.id });
      }
    }
    if (p.untaggedDays !== null) {
      const cutoff = now - p.untaggedDays * DAY_MS;
      for (const m of images) if (imageTags(m).length === 0 && m.createdAt.getTime() < cutoff) doom(m, 'untagged', p.id);
    }
    if (p.unpulledDays !== null) {
      const cutoff = now - p.unpulledDays * DAY_MS;
      for (const m of images) {
        const tags = imageTags(m);
        const selected = tags.length === 0 ? p.tagPattern === '*' : tags.some((t) => matchesPattern(p.tagPattern, t.name));
        if (selected && (m.lastPulledAt ?? m.createdAt).getTime() < cutoff) doom(m, 'not-pulled', p.id);
      }
    }
  }

  // A manifest that loses every image tag to keep-last goes with them.
  for (const m of images) {
    const tags = imageTags(m);
    const first = tags[0] && removedTags.get(tags[0].name);
    if (first && tags.every((t) => removedTags.has(t.name))) doom(m, 'keep-last', first.policyId);
  }

  // Artifacts of what goes, transitively (signatures of signatures, attestations).
  const queue = [...doomed.values()];
  while (queue.length > 0) {
    const parent = queue.pop()!;
    for (const m of manifests) {
      if (doomed.has(m.digest)) continue;
      const belongs = m.subject === parent.digest || m.tags.some((t) => cosignSubject(t.name) === parent.digest);
      if (!belongs) continue;
      const entry: PlannedManifest = { digest: m.digest, tags: m.tags.map((t) => t.name), reason: 'subject-deleted', policyId: parent.policyId };
      doomed.set(m.digest, entry);
      queue.push(entry);
    }
  }

  const tags = [...removedTags.values()].filter((t) => !doomed.has(t.digest) && byDigest.has(t.digest));
  return {
    manifests: [...doomed.values()].sort((a, b) => (a.digest < b.digest ? -1 : 1)),
    tags: tags.sort((a, b) => (a.tag < b.tag ? -1 : 1)),
    protected: protectedOnes,
  };
}
