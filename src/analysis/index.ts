/** The analysis module's public surface: the explicit analyzer lists and the engine entry points. */
export { ANALYZERS, LOCKFILE_ANALYZERS, ALL_ANALYZERS } from './analyzers/index.js';
export type { Analyzer, AnalyzerInput, AnalyzerOutput, FileMeta } from './analyzer.js';
export type { Package, PackageType, OsInfo, Warning, LayerFacts, ImageInventory } from './types.js';
export * from './engine/index.js';
