export { matchInventory, type MatchOptions } from './match.js';
export { evaluate, rangeAffects, type Verdict } from './evaluate.js';
export { mergeAliases } from './merge.js';
