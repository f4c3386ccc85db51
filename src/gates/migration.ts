/**
 * Tables of the security gates: the facts of every analysed layer (the registry's layer cache,
 * shared by every process) and the report and decision of every gated artifact.
 */
import { dialectTypes, type PortcullisMigration } from '../metadata/migrations/types.js';

export const gatesMigration: PortcullisMigration = {
  name: '0500_gates',
  async up(db, dialect) {
    const t = dialectTypes(dialect);
    await db.schema
      .createTable('gate_layers')
      /** Layer digest and analyzer versions (layerCacheKey): new analyzers mean a new row. */
      .addColumn('cache_key', t.byteText, (c) => c.primaryKey())
      .addColumn('layer_digest', t.byteText, (c) => c.notNull())
      /** LayerFacts JSON. */
      .addColumn('facts', t.json, (c) => c.notNull())
      /** The layer's tar entries as metadata (no content), to rebuild the final filesystem. */
      .addColumn('entries', t.json, (c) => c.notNull())
      .addColumn('created_at', t.int8, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('gate_layers_digest').on('gate_layers').column('layer_digest').execute();
    await db.schema
      .createTable('gate_reports')
      .addColumn('id', t.idType, t.id)
      .addColumn('repository', t.byteText, (c) => c.notNull())
      .addColumn('digest', t.byteText, (c) => c.notNull())
      .addColumn('report', t.json, (c) => c.notNull())
      .addColumn('inventory', t.json, (c) => c.notNull())
      /** The policy input derived from the report and the image config (re-evaluated at pull). */
      .addColumn('input', t.json, (c) => c.notNull())
      .addColumn('decision', t.json, (c) => c.notNull())
      .addColumn('created_at', t.int8, (c) => c.notNull())
      .addUniqueConstraint('gate_reports_artifact', ['repository', 'digest'])
      .execute();
  },
};
