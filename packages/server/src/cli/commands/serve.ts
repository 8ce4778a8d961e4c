import type { Command } from 'commander';
import { loadConfig } from '../../config/index.js';
import { startServer } from '../../main.js';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Start the Pulse server (capture API, JSON API, dashboard)')
    .option('--demo', 'load the demo data set into an empty store')
    .option('--host <host>', 'address to listen on (PULSE_HOST)')
    .option('--port <port>', 'port (PULSE_PORT)')
    .option('--data-dir <dir>', 'data directory (PULSE_DATA_DIR)')
    .action(async (options: { demo?: boolean; host?: string; port?: string; dataDir?: string }) => {
      const config = loadConfig({
        ...(program.opts<{ config?: string }>().config
          ? { file: program.opts<{ config: string }>().config }
          : {}),
        overrides: { demo: options.demo, host: options.host, port: options.port, dataDir: options.dataDir },
      });
      const server = await startServer(config);
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          void server.close().then(resolve);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}
