/** The scan pipeline: what the CLI and (at push time) the registry call. */
export { scanImage, type ScanOptions } from './image.js';
export { scanFs, scanRootfs } from './fs.js';
export { scanSbom, readSbomPackages, SbomInputError } from './sbom.js';
export { applyFilters } from './filters.js';
export { buildReport, dockerfileReport, SCHEMA_VERSION, TOOL_VERSION } from './report.js';
export { computeTotals, parseSeverityList, REPORT_SEVERITIES, severityRank } from './totals.js';
export { loadIgnoreFile, parseIgnoreYaml, parseTrivyIgnore, IgnoreFileError, type IgnoreEntry, type IgnoreRules } from './ignore.js';
export { loadVex, parseVex, mergeVex, VexError, type VexStatement, type VexStatements } from './vex.js';
export { openScanDb, VulnDbMissingError } from './db.js';
export { DiskFinalFsCache, type FinalFsCache, type PlacedFile } from './cache.js';
export * from './types.js';
