import { DecoderProcess, exitText, hasProgram } from './decoder-process.js';
import { LayerFormatError, LayerLimitError } from './types.js';

/** zstd by the reference `zstd` program; `--memory` bounds the window the same way ZstdFrameGuard does for fzstd. */
export const hasZstdBinary = (): boolean => hasProgram('zstd');

export class ZstdProcessStream extends DecoderProcess {
  constructor(maxWindow: number) {
    const memMb = Math.max(1, Math.ceil(maxWindow / (1024 * 1024)));
    super('zstd', ['-d', '-c', '-q', `--memory=${memMb}MB`], (msg, code, signal) => {
      if (/memory|window/i.test(msg)) return new LayerLimitError('zstd-window', `zstd frame needs too much memory: ${msg}`);
      if (/premature end|unexpected end|truncated|incomplete/i.test(msg)) {
        return new LayerFormatError('truncated', 'zstd stream is truncated (ends inside a frame)');
      }
      return new LayerFormatError('corrupt-compression', `corrupt zstd data: ${exitText('zstd', msg, code, signal)}`);
    });
  }
}
