export { analyzeImage, type AnalyzeImageOptions, type ImageAnalysis, type LayerRunner } from './image.js';
export { analyzeLayer, type AnalyzeLayerOptions } from './layer.js';
export { assembleInventory, type AssembleInput } from './assemble.js';
export { MemoryLayerCache, DiskLayerCache, analyzerIds, layerCacheKey } from './cache.js';
export { AnalysisPool, type AnalysisPoolOptions } from './pool.js';
export type { VisitorModule, AnalyzerSet } from './worker.js';
export type { FileVisitor, LayerCache, LayerProgress } from './types.js';
