export { readLayer, LayerReader, type ReadLayerOptions } from './reader.js';
export {
  DEFAULT_LAYER_LIMITS,
  LayerFormatError,
  LayerLimitError,
  resolveLimits,
  type LayerCompression,
  type LayerEntry,
  type LayerEntryType,
  type LayerLimits,
  type LayerStats,
  type LayerWarning,
} from './types.js';
export { normalisePath, whiteoutOf, isWithin, dirnameOf, basenameOf } from './path.js';
export { sniffCompression, peekStream } from './decompress.js';
export { VirtualFs, LinkDepthError, type VfsNode, type VfsEntry, type VirtualFsOptions } from './vfs.js';
