import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { ADMIN_KEY_FILE } from '../../access/admin-key.js';
import { DEMO_LOGIN_FILE } from '../../access/demo-user.js';
import { loadConfig, type FullConfig } from '../../config/index.js';
import { startServer } from '../../main.js';
import { startBanner } from '../banner.js';

/** The admin key file (unless PULSE_ADMIN_KEY is set) and the demo sign-in (with --demo), if present. */
function bannerFacts(config: FullConfig, url: string): Parameters<typeof startBanner>[0] {
  const keyFile = join(config.dataDir, ADMIN_KEY_FILE);
  const loginFile = join(config.dataDir, DEMO_LOGIN_FILE);
  const [email, password] =
    config.demo && existsSync(loginFile) ? readFileSync(loginFile, 'utf8').split('\n') : [];
  return {
    url,
    adminKeyFile: !config.adminKey && existsSync(keyFile) ? keyFile : null,
    demoLogin: email && password ? { email, password } : null,
  };
}

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
      if (process.stderr.isTTY) process.stderr.write(startBanner(bannerFacts(config, server.url)));
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
