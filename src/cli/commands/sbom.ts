import type { Command } from 'commander';
import { writeFile } from 'node:fs/promises';
import cliProgress from 'cli-progress';
import { SBOM_FORMATS, type SbomFormat } from '../../report/sbom/index.js';
import { defaultLayerCache, generateSbom } from '../../report/sbom/generate.js';

interface SbomCommandOptions {
  format: string;
  output?: string;
  quiet?: boolean;
  platform?: string;
  cache: boolean;
}

/** A progress bar only for a person watching: a TTY, not CI, not --quiet. */
function progressWanted(quiet: boolean | undefined): boolean {
  return !quiet && !process.env.CI && process.stderr.isTTY === true;
}

export function registerSbom(program: Command): void {
  program
    .command('sbom')
    .description('write the SBOM (CycloneDX 1.6 or SPDX 2.3 JSON) of an image')
    .argument('<source>', 'oci:DIR[:TAG], oci-archive:FILE[:TAG], docker-archive:FILE[:REF], rootfs:DIR, docker://REF, a directory or a reference')
    .option('--format <format>', `output format (${SBOM_FORMATS.join(', ')})`, 'cyclonedx')
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .option('-q, --quiet', 'no progress display')
    .option('--platform <os/arch[/variant]>', 'platform to pick from a multi-platform image')
    .option('--no-cache', 'do not read or write the layer cache')
    .action(async (source: string, opts: SbomCommandOptions) => {
      if (!(SBOM_FORMATS as string[]).includes(opts.format)) {
        console.error(`portcullis sbom: unknown format ${opts.format}; use ${SBOM_FORMATS.join(', ')}`);
        process.exit(2);
      }
      const bar = progressWanted(opts.quiet)
        ? new cliProgress.SingleBar({ format: 'analysing {bar} {percentage}% | layer {layer} | {value_mb}/{total_mb} MB', stream: process.stderr, hideCursor: true }, cliProgress.Presets.shades_classic)
        : undefined;
      const doneBytes = new Map<number, number>();
      const mb = (n: number) => (n / 1e6).toFixed(1);
      let total = 0;
      try {
        const text = await generateSbom(source, {
          format: opts.format as SbomFormat,
          ...(opts.platform ? { platform: opts.platform } : {}),
          ...(opts.cache ? { cache: defaultLayerCache() } : {}),
          onStart: ({ layers, bytes }) => {
            total = bytes;
            bar?.start(bytes, 0, { layer: `0/${layers}`, value_mb: '0.0', total_mb: mb(bytes) });
          },
          onProgress: (p) => {
            doneBytes.set(p.layerIndex, p.bytes);
            const value = [...doneBytes.values()].reduce((a, b) => a + b, 0);
            bar?.update(value, { layer: `${p.layerIndex + 1}/${p.layerCount}`, value_mb: mb(value), total_mb: mb(total) });
          },
        });
        bar?.stop();
        if (opts.output) await writeFile(opts.output, text);
        else process.stdout.write(text);
      } catch (err) {
        bar?.stop();
        console.error(`portcullis sbom: ${(err as Error).message}`);
        process.exit(1);
      }
    });
}
