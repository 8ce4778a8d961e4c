import { pino } from 'pino';
import { afterEach } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { startServer, type Edges, type RunningServer } from '../../src/main.js';
import { temporaryDirectory } from './temp-dir.js';

export interface TestServer extends RunningServer {
  dataDir: string;
  /** GET/POST the JSON API with the admin key. */
  api: <T = unknown>(
    path: string,
    init?: { method?: string; body?: unknown },
  ) => Promise<{ status: number; body: T }>;
}

/**
 * A real Pulse server on 127.0.0.1 with a real DuckDB file in a fresh temp dir; `edges` replaces parts at
 * the process's edge (the ingest log's writer, to hold or fail a write; the clock sessions and keys expire by).
 */
export async function startTestServer(
  env: Record<string, string> = {},
  dataDir = temporaryDirectory('pulse-it-'),
  edges: Edges = {},
): Promise<TestServer> {
  const config = loadConfig({
    env: {
      PULSE_DATA_DIR: dataDir,
      PULSE_HOST: '127.0.0.1',
      PULSE_PORT: '0',
      PULSE_COMMIT_INTERVAL_MS: '2',
      PULSE_OUTBOUND_ALLOW_PRIVATE: 'true',
      PULSE_DIGEST_CRON: 'off',
      ...env,
    },
    file: null,
  });
  const server = await startServer(config, pino({ level: 'error' }), edges);
  const api = async <T>(path: string, init: { method?: string; body?: unknown } = {}) => {
    const response = await fetch(`${server.url}${path}`, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers: {
        authorization: `Bearer ${server.adminKey}`,
        ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
    return { status: response.status, body: (await response.json()) as T };
  };
  return { ...server, dataDir, api };
}

/**
 * Servers a test file starts and restarts (same data dir), each closed after its test if it is still up.
 * Call at the top of a test file.
 */
export function restartableServers(): {
  start: (dataDir?: string) => Promise<TestServer>;
  stop: (server: TestServer) => Promise<void>;
} {
  const servers: TestServer[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.close();
  });
  return {
    async start(dataDir) {
      const server = await startTestServer({}, dataDir);
      servers.push(server);
      return server;
    },
    async stop(server) {
      servers.splice(servers.indexOf(server), 1);
      await server.close();
    },
  };
}
