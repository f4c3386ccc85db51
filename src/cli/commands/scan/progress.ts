import { SingleBar, Presets } from 'cli-progress';
import type { ScanProgress } from '../../../scan/index.js';

/** A layer progress bar on standard error, only when it is a terminal and CI is not set. */
export function progressReporter(enabled: boolean): { onProgress?: (p: ScanProgress) => void; stop(): void } {
  if (!enabled || !process.stderr.isTTY || process.env.CI) return { stop: () => undefined };
  const bar = new SingleBar({ format: 'layer {layer} [{bar}] {percentage}% {phase}', stream: process.stderr, hideCursor: true, clearOnComplete: true }, Presets.shades_classic);
  let started = false;
  return {
    onProgress(p) {
      if (p.phase === 'layers' && p.size) {
        const payload = { layer: `${(p.layerIndex ?? 0) + 1}/${p.layerCount ?? '?'}`, phase: p.cached ? 'cached' : '' };
        if (!started) {
          bar.start(p.size, 0, payload);
          started = true;
        }
        bar.setTotal(p.size);
        bar.update(p.bytes ?? 0, payload);
      } else if (started) bar.update({ phase: p.phase });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
