import type { Generated } from 'kysely';

/** Row types of the gates' tables (see migration.ts). */
export interface GateTables {
  gate_layers: {
    cache_key: string;
    layer_digest: string;
    facts: string;
    entries: string;
    created_at: number | string;
  };
  gate_reports: {
    id: Generated<number>;
    repository: string;
    digest: string;
    report: string;
    inventory: string;
    input: string;
    decision: string;
    created_at: number | string;
  };
}
