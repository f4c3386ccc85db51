/** How many leading bytes `looksLikeLayer` wants (a tar header is 512 bytes). */
export const SNIFF_BYTES = 512;

/**
 * Whether a blob's first bytes look like a layer: gzip or zstd compressed, or a plain tar
 * (the `ustar` magic of a POSIX/GNU header). Configs, SBOMs and signature payloads are JSON or
 * other small documents and are not analysed as layers.
 */
export function looksLikeLayer(head: Buffer): boolean {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return true;
  if (head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528) return true;
  return head.length >= 262 && head.toString('latin1', 257, 262) === 'ustar';
}
