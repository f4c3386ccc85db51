import type { Command } from 'commander';
import { SingleBar } from 'cli-progress';
import { addRegistryOptions, clientForReference, type RegistryCliOptions } from '../../image/client/cli-options.js';
import { VulnDb } from '../../vulndb/db/database.js';
import { dbPath, resolveCacheDir } from '../../vulndb/db/paths.js';
import { FORMATS, type FeedFormat, FeedFormatError, importPath } from '../../vulndb/importers/index.js';
import { pullDb, pushDb } from '../../vulndb/oci.js';
import { dbStatus, formatStatus } from '../../vulndb/status.js';
import { DEFAULT_FEEDS, parseFeedArg, updateDb } from '../../vulndb/update/update.js';

interface CacheOpts {
  cacheDir?: string;
}

const collect = (v: string, acc: string[]): string[] => [...acc, v];

export function registerDb(program: Command): void {
  const db = program.command('db').description('the local vulnerability database (OSV, Debian tracker, Alpine secdb, NVD)');
  const cacheOption = ['--cache-dir <dir>', 'cache directory (env PORTCULLIS_CACHE_DIR, default ~/.cache/portcullis)'] as const;

  db.command('import')
    .description('import a feed file or directory (format detected: OSV dir/zip/json, Debian tracker JSON, Alpine secdb, NVD CVE API 2.0)')
    .argument('<path...>', 'feed files or directories')
    .option(...cacheOption)
    .option('--format <format>', `force the format (${FORMATS.join(', ')})`)
    .option('--json', 'print the import statistics as JSON')
    .action((paths: string[], opts: CacheOpts & { format?: string; json?: boolean }) => {
      if (opts.format !== undefined && !(FORMATS as readonly string[]).includes(opts.format)) {
        console.error(`unknown format ${opts.format}; one of ${FORMATS.join(', ')}`);
        process.exit(2);
      }
      const vdb = VulnDb.open(dbPath(resolveCacheDir(opts.cacheDir)));
      try {
        for (const p of paths) {
          const stats = importPath(vdb, p, opts.format as FeedFormat | undefined);
          if (opts.json) console.log(JSON.stringify(stats));
          else {
            console.log(
              `${p}: ${stats.format} -> ${stats.source}: ${stats.records} records, ${stats.inserted} new, ${stats.updated} updated, ` +
                `${stats.skipped} unchanged, ${stats.removed} removed, ${stats.warnings} warnings`,
            );
            for (const [code, n] of Object.entries(stats.warningsByCode)) console.log(`  warning ${code}: ${n}`);
            for (const w of stats.warningExamples.slice(0, 5)) console.log(`    ${w}`);
          }
        }
      } catch (err) {
        if (err instanceof FeedFormatError || (err as NodeJS.ErrnoException).code === 'ENOENT') {
          console.error((err as Error).message);
          process.exit(1);
        }
        throw err;
      } finally {
        vdb.close();
      }
    });

  db.command('status')
    .description('sources, freshness and counts of the local vulnerability DB')
    .option(...cacheOption)
    .option('--json', 'print as JSON')
    .action((opts: CacheOpts & { json?: boolean }) => {
      const status = dbStatus(dbPath(resolveCacheDir(opts.cacheDir)));
      process.stdout.write(opts.json ? `${JSON.stringify(status, null, 2)}\n` : formatStatus(status));
      if (!status.exists) process.exitCode = 1;
    });

  db.command('update')
    .description('download the configured feeds and rebuild the DB (atomic: a failure keeps the old DB)')
    .option(...cacheOption)
    .option('--feed <[name=]url>', 'feed URL (repeatable; replaces the default feeds)', collect, [])
    .action(async (opts: CacheOpts & { feed: string[] }) => {
      const cacheDir = resolveCacheDir(opts.cacheDir);
      const feeds = opts.feed.length > 0 ? opts.feed.map(parseFeedArg) : DEFAULT_FEEDS;
      const bar = process.stderr.isTTY ? new SingleBar({ format: '{feed} [{bar}] {percentage}% {value}/{total} bytes', stream: process.stderr }) : undefined;
      let current = '';
      try {
        const result = await updateDb(cacheDir, feeds, {
          onProgress: (p) => {
            if (!bar) return;
            if (p.feed !== current) {
              if (current) bar.stop();
              current = p.feed;
              bar.start(p.total ?? 0, 0, { feed: p.feed });
            }
            if (p.total !== undefined) bar.setTotal(p.total);
            bar.update(p.received, { feed: p.feed });
          },
        });
        bar?.stop();
        for (const f of result.feeds)
          console.log(`${f.name}: ${f.bytes} bytes${f.resumed ? ' (resumed)' : ''}, ${f.stats.records} records, ${f.stats.warnings} warnings`);
        console.log(`database: ${result.dbPath}`);
      } catch (err) {
        bar?.stop();
        console.error(`update failed, the previous database is unchanged: ${(err as Error).message}`);
        process.exitCode = 1;
      }
    });

  addRegistryOptions(
    db
      .command('push')
      .description('push the local DB to a registry as an OCI artifact (for air-gapped installations)')
      .argument('<ref>', 'target reference, e.g. registry.example.com/security/vulndb:latest')
      .option(...cacheOption),
  ).action(async (ref: string, opts: CacheOpts & RegistryCliOptions) => {
    const { client, ref: parsed } = await clientForReference(ref, opts);
    try {
      const r = await pushDb(client, parsed, dbPath(resolveCacheDir(opts.cacheDir)));
      console.log(`pushed ${r.size} bytes as ${parsed.repository}@${r.digest}`);
    } finally {
      await client.close();
    }
  });

  addRegistryOptions(
    db
      .command('pull')
      .description('replace the local DB with one pushed by "db push" (verified, swapped in atomically)')
      .argument('<ref>', 'source reference')
      .option(...cacheOption),
  ).action(async (ref: string, opts: CacheOpts & RegistryCliOptions) => {
    const { client, ref: parsed } = await clientForReference(ref, opts);
    try {
      const r = await pullDb(client, parsed, dbPath(resolveCacheDir(opts.cacheDir)));
      console.log(`pulled ${r.size} bytes from ${parsed.repository}@${r.digest}`);
    } finally {
      await client.close();
    }
  });
}
