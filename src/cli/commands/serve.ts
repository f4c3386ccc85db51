import type { Command } from 'commander';
import { ConfigError, loadServerConfig } from '../../config/load.js';
import { startServer } from '../../server/serve.js';
import { PolicyError } from '../../policy/parse.js';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the registry (embedded default: ./portcullis-data, filesystem blobs, SQLite, 127.0.0.1:5000)')
    .option('--addr <host:port>', 'listen address')
    .option('--data-dir <dir>', 'data directory')
    .option('--config <file>', 'YAML configuration file (also PORTCULLIS_CONFIG)')
    .option('--insecure', 'allow plain HTTP on a non-loopback address')
    .option('--log-level <level>', 'fatal|error|warn|info|debug|trace|silent')
    .action(async (opts: { addr?: string; dataDir?: string; config?: string; insecure?: boolean; logLevel?: string }) => {
      const flags: Record<string, unknown> = {};
      if (opts.addr) flags.addr = opts.addr;
      if (opts.dataDir) flags.dataDir = opts.dataDir;
      if (opts.insecure) flags.insecure = true;
      if (opts.logLevel) flags.log = { level: opts.logLevel };
      let server;
      try {
        const config = await loadServerConfig({ ...(opts.config ? { file: opts.config } : {}), flags });
        server = await startServer(config);
      } catch (err) {
        if (err instanceof ConfigError || err instanceof PolicyError) {
          console.error(err.message);
          process.exit(2);
        }
        throw err;
      }
      const stop = (signal: string) => {
        server.logger.info({ signal }, 'shutting down');
        server.close().then(
          () => process.exit(0),
          (err: unknown) => {
            server.logger.error({ err }, 'shutdown failed');
            process.exit(1);
          },
        );
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
    });
}
