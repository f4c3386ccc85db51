/** Continuous re-evaluation of stored artifacts when the vulnerability DB changes. */
import type { Policy, PolicyStore } from '../policy/index.js';
import { dbPath } from '../vulndb/db/paths.js';
import { reevaluateAll } from './reevaluate.js';
import type { ReevaluateDeps, ReevaluationSummary } from './types.js';
import { ReevaluationWatcher } from './watch.js';

export { reevaluateAll, pullDecision, denyReasons, defaultProjectOf } from './reevaluate.js';
export { ReevaluationWatcher, dbFingerprint, type WatcherOptions } from './watch.js';
export { GateArtifactStore } from './gate-store.js';
export { MemoryArtifactStore } from './memory-store.js';
export type { ArtifactChange, ArtifactKey, ArtifactStore, ReevaluateDeps, ReevaluationSummary, StoredArtifact } from './types.js';

/** A project's effective policy by name; a project that no longer exists gets the system policy. */
export function policyLookup(identity: { getProject(name: string): Promise<{ id: string } | undefined> }, policies: PolicyStore): (project: string) => Promise<Policy> {
  return async (name) => {
    const project = await identity.getProject(name);
    return (project ? await policies.effectivePolicy(project.id) : await policies.systemPolicy()).policy;
  };
}

export interface ReevaluationOptions extends Omit<ReevaluateDeps, 'db'> {
  /** The server's vulnerability DB cache directory (the one `db import --cache-dir` writes). */
  cacheDir: string;
  intervalMs?: number;
  runOnStart?: boolean;
  onResult?: (summary: ReevaluationSummary) => void;
  onWatchError?: (err: unknown) => void;
}

/** A watcher that re-evaluates every stored artifact whenever the DB of `cacheDir` changes. Call `.start()`. */
export function createReevaluationWatcher(opts: ReevaluationOptions): ReevaluationWatcher<ReevaluationSummary> {
  const { cacheDir, intervalMs, runOnStart, onResult, onWatchError, ...deps } = opts;
  return new ReevaluationWatcher<ReevaluationSummary>({
    dbPath: dbPath(cacheDir),
    run: (db) => reevaluateAll({ ...deps, db }),
    ...(intervalMs !== undefined ? { intervalMs } : {}),
    ...(runOnStart !== undefined ? { runOnStart } : {}),
    ...(onResult ? { onResult } : {}),
    ...(onWatchError ? { onError: onWatchError } : {}),
  });
}
