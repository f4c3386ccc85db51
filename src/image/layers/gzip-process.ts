import { DecoderProcess, exitText, hasProgram } from './decoder-process.js';
import { LayerFormatError } from './types.js';

/**
 * gzip by ISA-L's `igzip` (Debian package `isal`): its SIMD inflate decodes a layer in about
 * half the time node:zlib takes here, and on another core. Absent, node:zlib decodes in-process.
 */
export const hasIgzipBinary = (): boolean => hasProgram('igzip');

export class IgzipProcessStream extends DecoderProcess {
  constructor() {
    super('igzip', ['-d', '-c', '-q'], (msg, code, signal) => {
      if (/complete gzip file|unexpected end|truncated/i.test(msg)) {
        return new LayerFormatError('truncated', 'gzip stream is truncated (unexpected end of file)');
      }
      return new LayerFormatError('corrupt-compression', `corrupt gzip data: ${exitText('igzip', msg, code, signal)}`);
    });
  }
}
