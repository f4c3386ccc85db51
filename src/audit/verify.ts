/** Proves the audit chain intact, or names the first event that was edited, deleted, inserted or reordered. */
import { GENESIS_HASH, eventHash } from './event.js';
import type { AuditEvent } from './event.js';
import { checkpointMessage } from './signing.js';
import type { CheckpointVerifier } from './signing.js';
import type { AuditStore, Checkpoint } from './store.js';

export type ChainProblemKind =
  | 'edited'
  | 'deleted'
  | 'inserted'
  | 'inserted-or-reordered'
  | 'truncated'
  | 'checkpoint-mismatch'
  | 'checkpoint-signature'
  | 'checkpoint-unknown-key';

export interface ChainProblem {
  kind: ChainProblemKind;
  /** The first sequence number affected. */
  seq: number;
  message: string;
}

export interface ChainReport {
  ok: boolean;
  events: number;
  lastSeq: number;
  lastHash: string;
  checkpoints: number;
  /** The latest checkpoint that was verified (signature and hash), if any. */
  lastCheckpointSeq: number | null;
  problem?: ChainProblem;
}

const BATCH = 1000;

function checkpointProblem(cp: Checkpoint, verifiers: CheckpointVerifier[]): ChainProblem | undefined {
  const verifier = verifiers.find((v) => v.keyId === cp.keyId);
  if (!verifier) {
    return { kind: 'checkpoint-unknown-key', seq: cp.seq, message: `checkpoint at ${cp.seq} is signed by unknown key ${cp.keyId}` };
  }
  if (!verifier.verify(checkpointMessage(cp), Buffer.from(cp.signature, 'base64'))) {
    return { kind: 'checkpoint-signature', seq: cp.seq, message: `checkpoint at ${cp.seq} has an invalid signature` };
  }
  return undefined;
}

/** Classifies the first event that does not continue the chain. */
function linkProblem(e: AuditEvent, expectedSeq: number, prevHash: string, prevPrevHash: string | null): ChainProblem | undefined {
  if (e.seq > expectedSeq) {
    const range = e.seq - 1 === expectedSeq ? `${expectedSeq}` : `${expectedSeq}..${e.seq - 1}`;
    return { kind: 'deleted', seq: expectedSeq, message: `event ${range} deleted (next stored event is ${e.seq})` };
  }
  if (e.prevHash !== prevHash) {
    if (e.prevHash === prevPrevHash) {
      // This event was chained to the one two places back: the event in between was slipped in.
      return { kind: 'inserted', seq: e.seq - 1, message: `event ${e.seq - 1} was inserted into the chain` };
    }
    return {
      kind: 'inserted-or-reordered',
      seq: e.seq,
      message: `event ${e.seq} does not follow event ${e.seq - 1} (inserted, reordered or preceded by a deletion)`,
    };
  }
  if (eventHash(e) !== e.hash) return { kind: 'edited', seq: e.seq, message: `event ${e.seq} was edited (its hash no longer matches)` };
  return undefined;
}

/**
 * Walks the whole chain in sequence order. Truncation after the latest checkpoint is detected
 * through that checkpoint; an attacker who also deletes checkpoints is caught by the copies in
 * external sinks (syslog, files, webhooks).
 */
export async function verifyChain(store: AuditStore, verifiers: CheckpointVerifier[]): Promise<ChainReport> {
  const checkpoints = await store.checkpoints();
  const report: ChainReport = { ok: true, events: 0, lastSeq: 0, lastHash: GENESIS_HASH, checkpoints: checkpoints.length, lastCheckpointSeq: null };
  const fail = (problem: ChainProblem): ChainReport => ({ ...report, ok: false, problem });

  for (const cp of checkpoints) {
    const bad = checkpointProblem(cp, verifiers);
    if (bad) return fail(bad);
  }
  const bySeq = new Map(checkpoints.map((c) => [c.seq, c]));

  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  let prevPrevHash: string | null = null;
  while (true) {
    const batch = await store.range(expectedSeq - 1, BATCH);
    if (batch.length === 0) break;
    for (const e of batch) {
      const bad = linkProblem(e, expectedSeq, prevHash, prevPrevHash);
      if (bad) return fail(bad);
      const cp = bySeq.get(e.seq);
      if (cp) {
        if (cp.hash !== e.hash) {
          return fail({ kind: 'checkpoint-mismatch', seq: e.seq, message: `event ${e.seq} differs from its signed checkpoint (chain rewritten)` });
        }
        report.lastCheckpointSeq = e.seq;
      }
      report.events += 1;
      report.lastSeq = e.seq;
      report.lastHash = e.hash;
      prevPrevHash = prevHash;
      prevHash = e.hash;
      expectedSeq = e.seq + 1;
    }
  }
  const latest = checkpoints.at(-1);
  if (latest && latest.seq > report.lastSeq) {
    return fail({
      kind: 'truncated',
      seq: report.lastSeq + 1,
      message: `events from ${report.lastSeq + 1} are missing: the checkpoint signed at ${latest.time} covers event ${latest.seq}`,
    });
  }
  return report;
}
