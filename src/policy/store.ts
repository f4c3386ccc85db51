/**
 * Policies in the metadata database: every `set` is a new version (author, time), per project and
 * for the system-wide override of the configured default. The effective policy of a project is
 * its latest version, else the stored system policy, else the default from the server config.
 */
import type { Generated, Kysely } from 'kysely';
import { PolicyStoreError } from './errors.js';
import { DEFAULT_POLICY, validatePolicy } from './parse.js';
import type { Policy } from './schema.js';

/** Whose policy: one project's (by project id), or the system's. */
export type PolicyScope = { kind: 'project'; projectId: string } | { kind: 'system' };

export interface PolicyVersionInfo {
  version: number;
  author: string;
  createdAt: Date;
}

export interface PolicyVersion extends PolicyVersionInfo {
  policy: Policy;
  /** The text as submitted (YAML with its comments), when it came as text. */
  source?: string;
}

/** Where an effective policy came from. */
export type EffectivePolicy =
  | ({ origin: 'project' } & PolicyVersion)
  | ({ origin: 'system' } & PolicyVersion)
  | { origin: 'default'; policy: Policy };

export interface PolicyTables {
  policy_versions: {
    id: Generated<number>;
    scope: string;
    project_id: string | null;
    version: number;
    document: string;
    source: string | null;
    author: string;
    created_at: string;
  };
}

type Row = PolicyTables['policy_versions'] & { id: number };

const scopeKey = (s: PolicyScope): string => (s.kind === 'system' ? 'system' : `project:${s.projectId}`);

function toVersion(row: Omit<Row, 'id'>): PolicyVersion {
  return {
    version: Number(row.version),
    author: row.author,
    createdAt: new Date(row.created_at),
    // Stored documents were validated when written; validating again applies defaults added since.
    policy: validatePolicy(JSON.parse(row.document)),
    ...(row.source !== null ? { source: row.source } : {}),
  };
}

/** Concurrent writers race for the next version number; the unique index decides, the loser retries. */
const MAX_SET_ATTEMPTS = 5;

export class PolicyStore {
  private readonly db: Kysely<PolicyTables>;

  /**
   * @param db the metadata database (after migrations), any schema type
   * @param systemDefault the configured default (`policy.default`); DEFAULT_POLICY when the config has none
   */
  constructor(
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    db: Kysely<any>,
    private readonly systemDefault: Policy = DEFAULT_POLICY,
  ) {
    this.db = db as Kysely<PolicyTables>;
  }

  /** Stores a new version (the policy must already be validated; pass the submitted text to keep it). */
  async set(scope: PolicyScope, policy: Policy, author: string, source?: string): Promise<PolicyVersion> {
    const key = scopeKey(scope);
    for (let attempt = 1; ; attempt++) {
      const last = await this.db.selectFrom('policy_versions').select((eb) => eb.fn.max('version').as('v')).where('scope', '=', key).executeTakeFirst();
      const row = {
        scope: key,
        project_id: scope.kind === 'project' ? scope.projectId : null,
        version: Number(last?.v ?? 0) + 1,
        document: JSON.stringify(policy),
        source: source ?? null,
        author,
        created_at: new Date().toISOString(),
      };
      try {
        await this.db.insertInto('policy_versions').values(row).execute();
        return toVersion(row);
      } catch (err) {
        const taken = await this.getVersion(scope, row.version).catch(() => undefined);
        if (!taken) throw err;
        if (attempt >= MAX_SET_ATTEMPTS) throw new PolicyStoreError('CONFLICT', 'the policy is being changed concurrently; try again');
      }
    }
  }

  /** The latest version, if any was ever set. */
  async get(scope: PolicyScope): Promise<PolicyVersion | undefined> {
    const row = await this.db.selectFrom('policy_versions').selectAll().where('scope', '=', scopeKey(scope)).orderBy('version', 'desc').limit(1).executeTakeFirst();
    return row && toVersion(row);
  }

  async getVersion(scope: PolicyScope, version: number): Promise<PolicyVersion | undefined> {
    const row = await this.db.selectFrom('policy_versions').selectAll().where('scope', '=', scopeKey(scope)).where('version', '=', version).executeTakeFirst();
    return row && toVersion(row);
  }

  /** Every version, newest first. */
  async history(scope: PolicyScope): Promise<PolicyVersionInfo[]> {
    const rows = await this.db
      .selectFrom('policy_versions')
      .select(['version', 'author', 'created_at'])
      .where('scope', '=', scopeKey(scope))
      .orderBy('version', 'desc')
      .execute();
    return rows.map((r) => ({ version: Number(r.version), author: r.author, createdAt: new Date(r.created_at) }));
  }

  /** The system policy: the stored override, else the configured default. */
  async systemPolicy(): Promise<EffectivePolicy> {
    const stored = await this.get({ kind: 'system' });
    return stored ? { origin: 'system', ...stored } : { origin: 'default', policy: this.systemDefault };
  }

  /** What the gates of a project apply: its latest policy, else the system policy. */
  async effectivePolicy(projectId: string): Promise<EffectivePolicy> {
    const own = await this.get({ kind: 'project', projectId });
    return own ? { origin: 'project', ...own } : this.systemPolicy();
  }
}
