import { parseDigest } from '../image/digest.js';
import type { MetadataStore } from '../metadata/store.js';

/**
 * Signatures, attestations and SBOMs belong to their subject: OCI 1.1 referrers (manifests
 * whose `subject` is it) and cosign's tag layout (`sha256-<hex>.sig|.att|.sbom`, and the
 * referrers tag-schema fallback `sha256-<hex>`). When the subject goes, they go too — and so do
 * their own attachments (a signed attestation), to a bounded depth and count.
 */

/** At most this many attachments are removed with one subject (the rest stay, as orphans GC-able by retention). */
export const MAX_ATTACHMENTS = 1000;
const SUFFIXES = ['.sig', '.att', '.sbom', ''] as const;
const ATTACHMENT_TAG = /^(sha256|sha512)-([0-9a-f]{64}|[0-9a-f]{128})(\.sig|\.att|\.sbom)?$/;

/** Cosign-style tags that attach something to `digest`. */
export function attachmentTags(digest: string): string[] {
  const p = parseDigest(digest);
  return p ? SUFFIXES.map((s) => `${p.algorithm}-${p.hex}${s}`) : [];
}

/** The digest a cosign-style tag attaches to, if it is one. */
function attachedTo(tag: string): string | undefined {
  const m = ATTACHMENT_TAG.exec(tag);
  return m ? `${m[1]}:${m[2]}` : undefined;
}

export interface AttachmentPlan {
  /** Manifests to delete after the subject, in discovery order. */
  manifests: string[];
  /** Attachment tags whose manifest also serves another subject: only the tag goes. */
  tagsOnly: Array<{ tag: string; digest: string }>;
  /** Every tag that will disappear (for the immutability check before anything is deleted). */
  tags: string[];
}

/** What deleting `subject` must also delete; reads only. */
export async function planAttachments(meta: MetadataStore, repositoryId: number, subject: string, limit = MAX_ATTACHMENTS): Promise<AttachmentPlan> {
  const plan: AttachmentPlan = { manifests: [], tagsOnly: [], tags: [] };
  const doomed = new Set([subject]);
  const queue = [subject];
  const take = async (digest: string): Promise<void> => {
    if (doomed.has(digest) || doomed.size > limit) return;
    doomed.add(digest);
    queue.push(digest);
    plan.manifests.push(digest);
    for (const t of await meta.tagsOf(repositoryId, digest)) plan.tags.push(t.name);
  };
  for (let s = queue.shift(); s !== undefined; s = queue.shift()) {
    for (const r of await meta.listReferrers(repositoryId, s)) await take(r.digest);
    for (const tag of attachmentTags(s)) {
      const digest = await meta.resolveTag(repositoryId, tag);
      if (digest === undefined || doomed.has(digest)) continue;
      // A manifest kept under a tag of something that stays (an image, another subject's
      // signature tag) is not only this subject's: remove just this tag.
      const tags = await meta.tagsOf(repositoryId, digest);
      const shared = tags.some((t) => {
        const owner = attachedTo(t.name);
        return owner === undefined || !doomed.has(owner);
      });
      if (shared) {
        plan.tagsOnly.push({ tag, digest });
        plan.tags.push(tag);
      } else {
        await take(digest);
      }
    }
  }
  return plan;
}
